import { declared } from "./errors";
import type { GroupedBatch } from "./grouping";
import type { BatchOutcome, ProjectedDocument, ReadModel } from "./projection";
import type { DocumentWrite, StoredDocument } from "./store-port";

/**
 * The pure half of applying a batch: events grouped by document, folded with `evolve` from what is
 * stored, and turned into writes. No I/O: the writer reads, calls these, writes, and on a conflict
 * calls them again with what it read afresh.
 */

/** The batch's events by the document they belong to, in batch order; events not the model's are left out. */
export function groupByDocument<E>(model: ReadModel<E>, events: readonly E[]): Map<string, E[]> {
  const byDocument = new Map<string, E[]>();
  for (const event of events) {
    const id = declared("documentId", () => model.documentId(event));
    if (id === null) continue;
    const group = byDocument.get(id);
    if (group) group.push(event);
    else byDocument.set(id, [event]);
  }
  return byDocument;
}

export interface Folded {
  /** The documents that changed, by id: what to store. */
  documents: Map<string, ProjectedDocument>;
  outcome: BatchOutcome;
}

/**
 * Each document after its events: folded from the stored one (or from what the grouping starts it
 * from), with its id, the grouping's own fields and the exact count set. An event that returns the
 * document itself is a duplicate; only events `counted` says so of are counted (all when absent).
 */
export function foldDocuments<E>(
  model: ReadModel<E>,
  byDocument: ReadonlyMap<string, readonly E[]>,
  stored: ReadonlyMap<string, StoredDocument>,
  context: {
    counts?: ReadonlyMap<string, number>;
    grouped?: GroupedBatch<E> | null;
    counted?: (event: E) => boolean;
  } = {},
): Folded {
  const { counts, grouped, counted } = context;
  const documents = new Map<string, ProjectedDocument>();
  const outcome: BatchOutcome = { applied: 0, duplicates: 0 };
  for (const [id, events] of byDocument) {
    const before: ProjectedDocument | null = grouped
      ? grouped.startFrom(id, stored)
      : (stored.get(id) ?? null);
    let document = before;
    for (const event of events) {
      const after = declared("evolve", () => model.evolve(document, event));
      if (counted && !counted(event)) {
        // Counted by an earlier read model of the projection.
      } else if (after === document) outcome.duplicates++;
      else outcome.applied++;
      document = after;
    }
    if (!document) continue;
    if (document._id !== id) document = { ...document, _id: id };
    if (grouped) document = grouped.finish(id, document, stored);
    if (model.exactCount) {
      const field: string = model.exactCount.field;
      const count = counts?.get(id) ?? 0;
      if ((document as unknown as Record<string, unknown>)[field] !== count)
        document = { ...document, [field]: count } as ProjectedDocument;
    }
    if (document !== stored.get(id)) documents.set(id, document);
  }
  return { documents, outcome };
}

/**
 * What to send for each changed document: an insert where nothing was stored, else a replace
 * conditional on the revision read. `firstRevision` is a new document's revision.
 */
export function writesFor(
  documents: ReadonlyMap<string, ProjectedDocument>,
  stored: ReadonlyMap<string, StoredDocument>,
  firstRevision: number,
): DocumentWrite[] {
  const writes: DocumentWrite[] = [];
  for (const [id, document] of documents) {
    const revision = stored.get(id)?.revision;
    writes.push(
      revision === undefined
        ? { kind: "insert", document: { ...document, _id: id, revision: firstRevision } }
        : {
            kind: "replace",
            document: { ...document, _id: id, revision: revision + 1 },
            expectedRevision: revision,
          },
    );
  }
  return writes;
}
