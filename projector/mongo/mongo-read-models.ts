import type { Db, Document } from "mongodb";
import { declared } from "../framework/errors";
import { firstRefusal, StoreWriteUnconfirmedError } from "./store-errors";
import {
  isMerged,
  type BatchOutcome,
  type DocumentPerEvent,
  type FoldedDocuments,
  type LinkedIds,
  type ProjectedDocument,
  type Projection,
  type ReadModel,
} from "../framework/projection";
import { planLinks, type LinkPlan } from "../framework/linked-ids";
import { ChunkedWriter } from "./chunked-writes";
import { RevisionedWriter, type Revisioned } from "./revisioned-writes";
import type { StoreProfile } from "./store-profile";

/** Collection name in use for a declared one (the rebuild writes into temporary names, then swaps). */
export type CollectionNames = (declared: string) => string;
export const declaredNames: CollectionNames = (declared) => declared;

/** A linked read model's ids as its documents keep them (besides `revision`, the store's own field). */
export interface LinkedDocument extends ProjectedDocument {
  linkedIds?: string[];
}

/** The batch's linked model and its plan; fields of other models that must name the survivor. */
interface Links<E> {
  model: FoldedDocuments<E, ProjectedDocument> & { linked: LinkedIds<E, ProjectedDocument> };
  plan: LinkPlan;
  /** Survivor of each event of the batch. */
  survivorOf: Map<E, string>;
  /** Documents found merged when the ids were resolved. */
  merged: ReadonlySet<string>;
  /** What resolving read of the linked model's documents: the ids asked and the documents found. */
  read: { ids: Set<string>; documents: Map<string, LinkedDocument> };
  /** Documents merged into a survivor by this batch, as merged: made pointers once all else is written. */
  retiring: Map<string, { survivor: string; document: Revisioned<ProjectedDocument> }>;
}
/**
 * A projection's read models in MongoDB: document-per-event models are inserted once (a replay is
 * refused on `_id`, which is all it needs), folded models are read (or remembered), folded and written
 * conditionally on their revision. One instance per projector: it owns the store's limits and the
 * documents it remembers.
 */
export class MongoReadModels<E> {
  private readonly writer: ChunkedWriter;
  readonly profile: StoreProfile;
  private readonly revisioned: RevisionedWriter;

  constructor(
    private readonly db: Db,
    private readonly projection: Projection<E>,
    profile: StoreProfile,
    options: { rememberedDocuments: number; firstRevision?: number } = { rememberedDocuments: 10_000 },
  ) {
    this.profile = profile;
    this.writer = new ChunkedWriter(profile);
    this.revisioned = new RevisionedWriter(this.writer, options);
  }

  async ensureIndexes(names: CollectionNames = declaredNames): Promise<void> {
    for (const model of this.projection.readModels) {
      const collection = this.db.collection(names(model.collection));
      for (const index of model.indexes) await collection.createIndex(index);
      // The collection exists once its indexes do, so a rebuild can always swap it in.
      if (model.indexes.length === 0)
        await this.db.createCollection(names(model.collection)).catch(() => undefined);
    }
  }

  /**
   * Applies a batch to every read model in order; the first model's outcome is the batch's. A linked
   * model's ids are resolved first, so that every model names the survivor, and the references to
   * documents about to be merged away are moved. After the models, the ids are pointed at their survivor,
   * and last the documents merged away become pointers: until then a replay finds them live and does it
   * all again.
   */
  async apply(events: readonly E[], names: CollectionNames = declaredNames): Promise<BatchOutcome> {
    const links = await this.resolveLinks(events, names);
    if (links) await this.moveReferences(links, names);
    let outcome: BatchOutcome | undefined;
    for (const model of this.projection.readModels as ReadModel<E>[]) {
      const result =
        model.kind === "document-per-event"
          ? await this.insertOnce(model, events, names, links)
          : await this.fold(model, events, names, links);
      outcome ??= result;
    }
    if (links) await this.writePointers(links, names);
    if (links) await this.retireMerged(links, names);
    return outcome ?? { applied: 0, duplicates: events.length };
  }

  /** The field of `collection` that must hold the linked model's survivor id, if any. */
  private referenceField(links: Links<E> | null, collection: string): string | null {
    return links?.model.linked.references.find((r) => r.collection === collection)?.field ?? null;
  }

  private async resolveLinks(events: readonly E[], names: CollectionNames): Promise<Links<E> | null> {
    const model = (this.projection.readModels as ReadModel<E>[]).find(
      (m): m is Links<E>["model"] => m.kind === "folded" && m.linked !== undefined,
    );
    if (!model) return null;
    const idsPerEvent = events.map((event) => [...new Set(declared("ids", () => model.linked.ids(event)))]);
    const batchIds = [...new Set(idsPerEvent.flat())];
    const collection = this.db.collection<LinkedDocument>(names(model.collection));
    const documents = new Set<string>();
    const mergedInto = new Map<string, string>();
    const liveLinkedIds = new Map<string, readonly string[]>();
    const read = { ids: new Set<string>(), documents: new Map<string, LinkedDocument>() };
    const know = (id: string, document: LinkedDocument) => {
      documents.add(id);
      if (isMerged(document)) mergedInto.set(id, document.mergedInto);
      else liveLinkedIds.set(id, document.linkedIds ?? [id]);
    };
    const readDocuments = async (ids: string[]) => {
      for (const id of ids) read.ids.add(id);
      for (const [id, document] of await this.writer.findByIds(collection, ids)) {
        read.documents.set(id, document);
        know(id, document);
      }
    };
    // The documents the ids name: as this instance last wrote them where it remembers them (a write
    // from them is conditional on their revision), else read. Pointers are always read: another
    // writer may have moved them since.
    const unknown: string[] = [];
    for (const id of batchIds) {
      const remembered = this.revisioned.remembered(collection, id) as LinkedDocument | undefined;
      if (remembered && !isMerged(remembered)) know(id, remembered);
      else unknown.push(id);
    }
    const unread = (ids: Iterable<string>) =>
      [...new Set(ids)].filter((id) => !documents.has(id) && !read.ids.has(id));
    // Where the pointers lead (a chain when the document pointed to was merged in turn).
    const followPointers = async () => {
      for (let hop = 0; hop < 10; hop++) {
        const toRead = unread(mergedInto.values());
        if (toRead.length === 0) break;
        await readDocuments(toRead);
      }
    };
    await readDocuments(unknown);
    await followPointers();
    // A document to be merged away brings every id it is known under: each is read and joins the set.
    const joined = new Map<string, readonly string[]>();
    const planOf = () =>
      planLinks(idsPerEvent, { mergedInto, documents, linkedIds: joined }, (ids) =>
        declared("survivor", () => model.linked.survivor(ids)),
      );
    let plan = planOf();
    for (let round = 0; round < 10; round++) {
      const away = [...plan.mergedAway.values()].flat().filter((id) => !joined.has(id));
      if (away.length === 0) break;
      for (const id of away) joined.set(id, liveLinkedIds.get(id) ?? [id]);
      await readDocuments(unread(away.flatMap((id) => joined.get(id)!)));
      await followPointers();
      plan = planOf();
    }
    return {
      model,
      plan,
      survivorOf: new Map(events.map((event, i) => [event, plan.survivorOfEvent[i]!])),
      merged: new Set(mergedInto.keys()),
      read,
      retiring: new Map(),
    };
  }

  /** Points the references to documents about to be merged away at their survivor. */
  private async moveReferences(links: Links<E>, names: CollectionNames): Promise<void> {
    for (const reference of links.model.linked.references) {
      const referencing = (this.projection.readModels as ReadModel<E>[]).find(
        (m) => m.collection === reference.collection,
      );
      const collection = this.db.collection(names(reference.collection));
      for (const [survivor, away] of links.plan.mergedAway)
        for (const id of away) {
          // A revisioned document's revision moves too, so that no writer's remembered copy wins over it.
          const update =
            referencing?.kind === "folded"
              ? { $set: { [reference.field]: survivor }, $inc: { revision: 1 } }
              : { $set: { [reference.field]: survivor } };
          await collection.updateMany({ [reference.field]: id }, update);
        }
    }
  }

  /**
   * Points every other id of each survivor at it. A pointer is only ever written over nothing or over
   * the pointer the ids were resolved with: a live document or a pointer another writer moved meanwhile
   * fails the batch, which is then resolved again.
   */
  private async writePointers(links: Links<E>, names: CollectionNames): Promise<void> {
    await this.writePointerDocuments(
      links,
      names,
      links.plan.pointerWrites,
      links.read,
      (id, stored, target) => {
        if (stored === undefined) return true;
        const seen = links.read.documents.get(id);
        if (
          !isMerged(stored) ||
          (stored.mergedInto !== target && stored.mergedInto !== (isMerged(seen) ? seen.mergedInto : null))
        )
          throw new StoreWriteUnconfirmedError(
            `${names(links.model.collection)}: ${id} was written meanwhile`,
          );
        return stored.mergedInto !== target;
      },
    );
  }

  /**
   * Turns each document this batch merged away into a pointer to its survivor, conditional on the
   * revision it was merged at: one changed since then fails the batch, which merges it again.
   */
  private async retireMerged(links: Links<E>, names: CollectionNames): Promise<void> {
    const retiring = links.retiring;
    const asMerged = new Map([...retiring].map(([id, { document }]) => [id, document]));
    const survivors = new Map([...retiring].map(([id, { survivor }]) => [id, survivor]));
    await this.writePointerDocuments(
      links,
      names,
      survivors,
      { ids: new Set(retiring.keys()), documents: asMerged },
      (id, stored, target) => {
        if (stored === undefined || (isMerged(stored) && stored.mergedInto === target)) return false;
        if (isMerged(stored) || stored.revision !== asMerged.get(id)!.revision)
          throw new StoreWriteUnconfirmedError(
            `${names(links.model.collection)}: ${id} changed while merged`,
          );
        return true;
      },
    );
  }

  /**
   * Writes `{_id, mergedInto}` for each id of `targets` through the revisioned writer, where
   * `needsWrite` says so for the document stored under it (or throws to have the batch resolved again).
   */
  private async writePointerDocuments(
    links: Links<E>,
    names: CollectionNames,
    targets: ReadonlyMap<string, string>,
    justRead: { ids: ReadonlySet<string>; documents: ReadonlyMap<string, Document> },
    needsWrite: (id: string, stored: Revisioned<ProjectedDocument> | undefined, target: string) => boolean,
  ): Promise<void> {
    if (targets.size === 0) return;
    const collection = this.db.collection<Revisioned<ProjectedDocument>>(names(links.model.collection));
    await this.revisioned.write(
      collection,
      [...targets.keys()],
      (current) => {
        const next = new Map<string, ProjectedDocument>();
        for (const [id, target] of targets)
          if (needsWrite(id, current.get(id), target))
            next.set(id, { _id: id, mergedInto: target } as ProjectedDocument);
        return next;
      },
      { justRead },
    );
  }

  private async insertOnce(
    model: DocumentPerEvent<E, ProjectedDocument>,
    events: readonly E[],
    names: CollectionNames,
    links: Links<E> | null,
  ): Promise<BatchOutcome> {
    const field = this.referenceField(links, model.collection);
    const documents = new Map(
      events
        .map((event) => {
          const document = declared("document", () => model.document(event));
          return field ? { ...document, [field]: links!.survivorOf.get(event) } : document;
        })
        .map((d) => [d._id, d]),
    );
    const collection = this.db.collection<ProjectedDocument>(names(model.collection));
    const result = await this.writer.write(
      collection,
      [...documents.values()].map((document) => ({ insertOne: { document } })),
    );
    const refused = firstRefusal(collection.collectionName, result.writeErrors);
    if (refused) throw refused;
    if (result.unanswered.length > 0)
      throw new StoreWriteUnconfirmedError(
        `${collection.collectionName}: ${result.unanswered.length} inserts not answered`,
      );
    return { applied: result.insertedCount, duplicates: events.length - result.insertedCount };
  }

  private async fold(
    model: FoldedDocuments<E, ProjectedDocument>,
    events: readonly E[],
    names: CollectionNames,
    links: Links<E> | null,
  ): Promise<BatchOutcome> {
    const linked = links?.model === model ? links : null;
    const field = this.referenceField(links, model.collection);
    const byDocument = new Map<string, E[]>();
    for (const event of events) {
      const id = linked
        ? linked.survivorOf.get(event)!
        : declared("documentId", () => model.documentId(event));
      const group = byDocument.get(id);
      if (group) group.push(event);
      else byDocument.set(id, [event]);
    }
    const mergedAway = (id: string): string[] => linked?.plan.mergedAway.get(id) ?? [];
    const ids = [...byDocument.keys()];
    const collection = this.db.collection<Revisioned<ProjectedDocument>>(names(model.collection));
    const exactCount = model.exactCount;
    let counts = new Map<string, number>();
    let outcome: BatchOutcome = { applied: 0, duplicates: 0 };
    await this.revisioned.write(
      collection,
      [...ids, ...ids.flatMap(mergedAway)],
      async (current) => {
        // Counted after this batch's inserts, and again each retry round: another writer's may be newer.
        if (exactCount)
          counts = await this.writer.countByField(
            this.db.collection(names(exactCount.of)),
            exactCount.by,
            ids,
          );
        outcome = { applied: 0, duplicates: 0 };
        const next = new Map<string, ProjectedDocument>();
        for (const [id, documentEvents] of byDocument) {
          const stored: ProjectedDocument | null = current.get(id) ?? null;
          // Merged by another writer since the ids were resolved: resolve them again (the slice is retried).
          if (linked && isMerged(stored) && !linked.merged.has(id))
            throw new StoreWriteUnconfirmedError(`${collection.collectionName}: ${id} was merged meanwhile`);
          const before = isMerged(stored) ? null : stored;
          let document = before;
          let linkedIds: string[] = [];
          if (linked)
            ({ document, linkedIds } = this.merged(
              linked,
              id,
              before,
              mergedAway(id).map((m) => current.get(m)),
            ));
          for (const event of documentEvents) {
            const after = declared("evolve", () => model.evolve(document, event));
            if (after === document) outcome.duplicates++;
            else outcome.applied++;
            document = after;
          }
          if (document && document._id !== id) document = { ...document, _id: id };
          if (document && linked && !sameIds((document as LinkedDocument).linkedIds, linkedIds))
            document = { ...document, linkedIds } as ProjectedDocument;
          if (document && field && (document as Document)[field] != null) {
            const survivor = links!.survivorOf.get(documentEvents[0]!)!;
            if ((document as Document)[field] !== survivor) document = { ...document, [field]: survivor };
          }
          if (document && exactCount) {
            const count = counts.get(id)!;
            const countField: string = exactCount.field;
            if ((document as Document)[countField] !== count) document = { ...document, [countField]: count };
          }
          if (document && document !== stored) next.set(id, document);
          // Made pointers last (retireMerged), at the revision merged here.
          for (const away of mergedAway(id)) {
            const merged = current.get(away);
            if (merged && !isMerged(merged)) linked?.retiring.set(away, { survivor: id, document: merged });
          }
        }
        return next;
      },
      linked
        ? // Resolving the ids has just read these documents: the first round starts from them.
          { justRead: linked.read }
        : {
            likelyNew: model.likelyFirst
              ? (id) =>
                  byDocument
                    .get(id)!
                    .some((event) => declared("likelyFirst", () => model.likelyFirst!(event)))
              : undefined,
          },
    );
    return outcome;
  }

  /**
   * The survivor's document before this batch's events: its own joined with every document merged into
   * it (`before` itself when none is), and every id that names it.
   */
  private merged(
    links: Links<E>,
    id: string,
    before: ProjectedDocument | null,
    away: (ProjectedDocument | undefined)[],
  ): { document: ProjectedDocument | null; linkedIds: string[] } {
    let document = before;
    const ids = new Set([
      ...(links.plan.idsOf.get(id) ?? [id]),
      ...((before as LinkedDocument | null)?.linkedIds ?? []),
    ]);
    for (const other of away) {
      if (!other || isMerged(other)) continue;
      for (const otherId of (other as LinkedDocument).linkedIds ?? [other._id]) {
        ids.add(otherId);
      }
      const { revision: _revision, ...content } = other as Revisioned<ProjectedDocument>;
      const joined: ProjectedDocument = { ...content, _id: id };
      document = document ? declared("merge", () => links.model.linked.merge(document!, joined)) : joined;
    }
    return { document, linkedIds: [...ids].sort() };
  }
}

const sameIds = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((id, i) => id === b[i]);
