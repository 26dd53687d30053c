import { LRUCache } from "lru-cache";
import { StoreWriteUnconfirmedError, declared } from "./errors";
import { foldDocuments, groupByDocument, writesFor, type Folded } from "./fold-engine";
import type { GroupedBatch, GroupingStore, JustRead } from "./grouping";
import type { ReadModelTarget } from "./batch-handler";
import {
  collectionsOf,
  type BatchOutcome,
  type ProjectedDocument,
  type Projection,
  type ReadModel,
} from "./projection";
import type { ReadModelStore, StoredDocument } from "./store-port";

/** Collection name in use for a declared one (a rebuild writes into temporary names, then swaps). */
export type CollectionNames = (declared: string) => string;
export const declaredNames: CollectionNames = (declared) => declared;

export interface ReadModelWriterOptions {
  /** Documents remembered as this process last wrote them, so that their next write needs no read. */
  rememberedDocuments: number;
  /** A new document's revision: a rebuild starts far above any a live projector may remember. */
  firstRevision?: number;
  /** Rounds of conflicting writes before the slice is retried from the last commit. */
  maxRounds?: number;
}

/**
 * Applies one projection's batches through a store port: the grouping step first, then each read model
 * in order as rounds of read, pure fold (fold-engine), conditional write. A write another writer beat
 * comes back unconfirmed: only those ids are read again and folded again. Documents this process wrote
 * last are remembered and trusted in the first round, which is safe because every replace is
 * conditional on the revision they carry.
 */
export class ReadModelWriter<E> implements ReadModelTarget<E> {
  private readonly lastWritten: LRUCache<string, StoredDocument>;
  private readonly firstRevision: number;
  private readonly maxRounds: number;
  private names: CollectionNames = declaredNames;

  constructor(
    private readonly projection: Projection<E>,
    private readonly store: ReadModelStore,
    options: ReadModelWriterOptions,
  ) {
    this.lastWritten = new LRUCache({ max: options.rememberedDocuments });
    this.firstRevision = options.firstRevision ?? 1;
    this.maxRounds = options.maxRounds ?? 5;
  }

  /** Writes from now on go to these collection names (the rebuild's temporary ones, then the live ones). */
  writeInto(names: CollectionNames): void {
    this.names = names;
  }

  /** What the write spans name: the database and the collections in use. */
  target(): { database: string; collections: string[] } {
    return { database: this.store.database, collections: collectionsOf(this.projection).map(this.names) };
  }

  async ensureCollections(): Promise<void> {
    for (const model of this.projection.readModels)
      await this.store.ensureCollection(this.names(model.collection), model.indexes);
  }

  /**
   * Applies a batch to every read model in order; each event counts as applied or duplicate by the
   * first model that takes it. The grouping, where there is one, resolves the events first and writes
   * its own documents around them.
   */
  async apply(batch: readonly E[]): Promise<BatchOutcome> {
    const { projection } = this;
    const groupingStore = this.groupingStore();
    const grouped = projection.grouping ? await projection.grouping.resolve(batch, groupingStore) : null;
    const events = grouped?.events ?? batch;
    if (grouped) await grouped.before(groupingStore);
    const outcome: BatchOutcome = { applied: 0, duplicates: 0 };
    const uncounted = new Set(events);
    let groupedStored: ReadonlyMap<string, StoredDocument> = new Map();
    for (const model of projection.readModels) {
      const isGrouped = grouped !== null && projection.grouping!.collection === model.collection;
      const byDocument = groupByDocument(model, events);
      const result = await this.fold(model, byDocument, isGrouped ? grouped : null, (event) =>
        uncounted.has(event),
      );
      if (isGrouped) groupedStored = result.stored;
      outcome.applied += result.outcome.applied;
      outcome.duplicates += result.outcome.duplicates;
      for (const taken of byDocument.values()) for (const event of taken) uncounted.delete(event);
    }
    if (grouped) await grouped.after(groupingStore, groupedStored);
    // An event no read model takes changed nothing.
    outcome.duplicates += uncounted.size;
    return outcome;
  }

  private async fold(
    model: ReadModel<E>,
    byDocument: ReadonlyMap<string, readonly E[]>,
    grouped: GroupedBatch<E> | null,
    counted: (event: E) => boolean,
  ): Promise<{ outcome: BatchOutcome; stored: ReadonlyMap<string, StoredDocument> }> {
    const ids = [...byDocument.keys()];
    const { exactCount, likelyFirst } = model;
    const { stored, decided } = await this.writeInRounds(
      this.names(model.collection),
      [...ids, ...(grouped?.joinedIds ?? [])],
      (current, counts): Folded => foldDocuments(model, byDocument, current, { counts, grouped, counted }),
      {
        justRead: grouped?.justRead,
        likelyNew:
          likelyFirst && !grouped
            ? (id) => byDocument.get(id)!.some((event) => declared("likelyFirst", () => likelyFirst(event)))
            : undefined,
        // Counted again each round, after this batch's writes to the counted model: another writer's may be newer.
        counts: exactCount
          ? () => this.store.countBy(this.names(exactCount.of), exactCount.by, ids)
          : undefined,
      },
    );
    return { outcome: decided.outcome, stored };
  }

  /**
   * Rounds of read, `decide` (pure, on what was read), conditional write, until every write is
   * confirmed. Returns the documents as the last round read them, and its decision.
   */
  private async writeInRounds<T extends { documents: Map<string, ProjectedDocument> }>(
    collection: string,
    ids: readonly string[],
    decide: (
      stored: ReadonlyMap<string, StoredDocument>,
      counts: ReadonlyMap<string, number> | undefined,
    ) => T,
    options: {
      justRead?: JustRead;
      likelyNew?: (id: string) => boolean;
      counts?: () => Promise<Map<string, number>>;
    } = {},
  ): Promise<{ stored: ReadonlyMap<string, StoredDocument>; decided: T }> {
    const { justRead, likelyNew, counts } = options;
    const key = (id: string) => rememberedKey(collection, id);
    const stored = new Map<string, StoredDocument>();
    let pending = [...new Set(ids)];
    try {
      for (let round = 1; ; round++) {
        const toRead: string[] = [];
        for (const id of pending) {
          stored.delete(id);
          if (round > 1) toRead.push(id);
          else if (justRead?.ids.has(id)) {
            const document = justRead.documents.get(id);
            if (document) stored.set(id, document);
          } else {
            const remembered = this.lastWritten.get(key(id));
            if (remembered) stored.set(id, remembered);
            else if (!likelyNew?.(id)) toRead.push(id);
          }
        }
        if (toRead.length > 0)
          for (const [id, document] of await this.store.find(collection, toRead)) stored.set(id, document);
        const decided = decide(stored, counts ? await counts() : undefined);
        const pendingIds = new Set(pending);
        // A later round rewrites only the ids that did not land; the others are written already.
        const writes = writesFor(decided.documents, stored, this.firstRevision).filter((write) =>
          pendingIds.has(write.document._id),
        );
        if (writes.length === 0) return { stored, decided };
        const { unconfirmed } = await this.store.write(collection, writes);
        const notLanded = new Set(unconfirmed);
        for (const { document } of writes)
          if (notLanded.has(document._id)) this.lastWritten.delete(key(document._id));
          else this.lastWritten.set(key(document._id), document);
        if (notLanded.size === 0) return { stored, decided };
        if (round >= this.maxRounds)
          throw new StoreWriteUnconfirmedError(
            `${notLanded.size} writes to ${collection} not confirmed after ${round} rounds`,
          );
        // The ids that landed keep what they were folded from, so the next round's outcome is the batch's.
        pending = [...notLanded];
      }
    } catch (error) {
      // What could not be confirmed is forgotten: the next attempt starts from the store.
      for (const id of ids) this.lastWritten.delete(key(id));
      throw error;
    }
  }

  /** The store as the projection's grouping sees it: declared names, this writer's memory and rounds. */
  private groupingStore(): GroupingStore {
    return {
      remembered: (collection, id) => this.lastWritten.get(rememberedKey(this.names(collection), id)),
      find: (collection, ids) => this.store.find(this.names(collection), ids),
      writeInRounds: async (collection, ids, decide, justRead) => {
        await this.writeInRounds(this.names(collection), ids, (stored) => ({ documents: decide(stored) }), {
          justRead,
        });
      },
      repoint: (collection, field, from, to) => this.store.repoint(this.names(collection), field, from, to),
    };
  }
}

/** Where a document this writer wrote is remembered: by collection in use and id. */
const rememberedKey = (collection: string, id: string): string => `${collection}\u0000${id}`;
