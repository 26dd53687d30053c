import type { Db, Document } from "mongodb";
import { declared } from "../framework/errors";
import { firstRefusal, StoreWriteUnconfirmedError } from "./store-errors";
import type {
  BatchOutcome,
  DocumentPerEvent,
  FoldedDocuments,
  ProjectedDocument,
  Projection,
  ReadModel,
} from "../framework/projection";
import { ChunkedWriter } from "./chunked-writes";
import { RevisionedWriter, type Revisioned } from "./revisioned-writes";
import type { StoreProfile } from "./store-profile";

/** Collection name in use for a declared one (the rebuild writes into temporary names, then swaps). */
export type CollectionNames = (declared: string) => string;
export const declaredNames: CollectionNames = (declared) => declared;

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

  /** Applies a batch to every read model in order; the first model's outcome is the batch's. */
  async apply(events: readonly E[], names: CollectionNames = declaredNames): Promise<BatchOutcome> {
    let outcome: BatchOutcome | undefined;
    for (const model of this.projection.readModels as ReadModel<E>[]) {
      const result =
        model.kind === "document-per-event"
          ? await this.insertOnce(model, events, names)
          : await this.fold(model, events, names);
      outcome ??= result;
    }
    return outcome ?? { applied: 0, duplicates: events.length };
  }

  private async insertOnce(
    model: DocumentPerEvent<E, ProjectedDocument>,
    events: readonly E[],
    names: CollectionNames,
  ): Promise<BatchOutcome> {
    const documents = new Map(
      events.map((event) => declared("document", () => model.document(event))).map((d) => [d._id, d]),
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
  ): Promise<BatchOutcome> {
    const byDocument = new Map<string, E[]>();
    for (const event of events) {
      const id = declared("documentId", () => model.documentId(event));
      const group = byDocument.get(id);
      if (group) group.push(event);
      else byDocument.set(id, [event]);
    }
    const ids = [...byDocument.keys()];
    const collection = this.db.collection<Revisioned<ProjectedDocument>>(names(model.collection));
    const exactCount = model.exactCount;
    let counts = new Map<string, number>();
    let outcome: BatchOutcome = { applied: 0, duplicates: 0 };
    await this.revisioned.write(
      collection,
      ids,
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
          const before: ProjectedDocument | null = current.get(id) ?? null;
          let document = before;
          for (const event of documentEvents) {
            const after = declared("evolve", () => model.evolve(document, event));
            if (after === document) outcome.duplicates++;
            else outcome.applied++;
            document = after;
          }
          if (document && exactCount) {
            const count = counts.get(id)!;
            const field: string = exactCount.field;
            if ((document as Document)[field] !== count) document = { ...document, [field]: count };
          }
          if (document && document !== before) next.set(id, document);
        }
        return next;
      },
      {
        likelyNew: model.likelyFirst
          ? (id) =>
              byDocument.get(id)!.some((event) => declared("likelyFirst", () => model.likelyFirst!(event)))
          : undefined,
      },
    );
    return outcome;
  }
}
