import { LRUCache } from "lru-cache";
import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { firstRefusal, StoreWriteUnconfirmedError } from "./store-errors";
import type { ChunkedWriter } from "./chunked-writes";

export type Revisioned<D> = D & { _id: string; revision: number };

/**
 * Writes folded documents with optimistic concurrency, using only classic operations both MongoDB and
 * FerretDB support: insertOne for a document not there yet, replaceOne upserting on `{_id, revision}`
 * for one that is. A document someone else wrote in between makes the insert or the upsert collide on
 * _id; those ids are recomputed from a fresh read and written again.
 *
 * The first round starts from the documents this instance wrote last where it has them (a message's
 * next status usually comes seconds after the one before, so most writes need no read), takes the ids
 * the caller expects to be new as absent, and reads the others. Trusting remembered documents is safe because every replace is conditional on the
 * revision they carry.
 */
export class RevisionedWriter {
  /** Documents this instance wrote last, by namespace and id, revision included. */
  private readonly lastWritten: LRUCache<string, Document>;

  private readonly firstRevision: number;

  /**
   * `firstRevision` is a new document's revision: a rebuild starts its documents far above any
   * revision a live projector may remember from the collections they replace, so none of its
   * remembered documents can match a rebuilt one by chance.
   */
  constructor(
    private readonly writer: ChunkedWriter,
    options: { rememberedDocuments: number; firstRevision?: number },
  ) {
    this.lastWritten = new LRUCache<string, Document>({ max: options.rememberedDocuments });
    this.firstRevision = options.firstRevision ?? 1;
  }

  /**
   * `compute` gets every pending id's current document (absent when new) and returns the documents to
   * write (an id left out needs no write). It sees every id each round: the collided ones as read
   * afresh, the others as before, so what it counts is the whole batch's.
   */
  async write<D extends Document & { _id: string }>(
    collection: Collection<Revisioned<D>>,
    ids: readonly string[],
    compute: (current: Map<string, Revisioned<D>>) => Promise<Map<string, D>> | Map<string, D>,
    options: {
      likelyNew?: (id: string) => boolean;
      /** Documents the caller read just before: an id it read and did not find is taken as absent. */
      justRead?: { ids: ReadonlySet<string>; documents: ReadonlyMap<string, Document> };
      maxRounds?: number;
    } = {},
  ): Promise<void> {
    const { justRead } = options;
    const likelyNew = justRead
      ? (id: string) => justRead.ids.has(id) && !justRead.documents.has(id)
      : options.likelyNew;
    try {
      await this.rounds(collection, ids, compute, likelyNew, options.maxRounds ?? 5, justRead);
    } catch (error) {
      // What could not be confirmed is forgotten: the next attempt starts from the database.
      for (const id of ids) this.lastWritten.delete(this.cacheKey(collection, id));
      throw error;
    }
  }

  /** The document as this instance last wrote it, if it remembers it. */
  remembered(collection: { namespace: string }, id: string): Document | undefined {
    return this.lastWritten.get(this.cacheKey(collection, id));
  }

  private cacheKey(collection: { namespace: string }, id: string): string {
    return `${collection.namespace}\u0000${id}`;
  }

  private async rounds<D extends Document & { _id: string }>(
    collection: Collection<Revisioned<D>>,
    ids: readonly string[],
    compute: (current: Map<string, Revisioned<D>>) => Promise<Map<string, D>> | Map<string, D>,
    likelyNew: ((id: string) => boolean) | undefined,
    maxRounds: number,
    justRead: { ids: ReadonlySet<string>; documents: ReadonlyMap<string, Document> } | undefined,
  ): Promise<void> {
    const key = (id: string) => this.cacheKey(collection, id);
    const current = new Map<string, Revisioned<D>>();
    let pending = [...new Set(ids)];
    for (let round = 1; pending.length > 0; round++) {
      const toRead: string[] = [];
      for (const id of pending) {
        // A retry round collided with someone else's write: only a fresh read will do.
        // What the caller has just read wins over what this instance remembers writing.
        const written =
          round === 1
            ? ((justRead?.ids.has(id) ? justRead.documents.get(id) : this.lastWritten.get(key(id))) as
                Revisioned<D> | undefined)
            : undefined;
        current.delete(id);
        if (written) current.set(id, written);
        else if (round > 1 || !likelyNew?.(id)) toRead.push(id);
      }
      for (const [id, document] of await this.writer.findByIds(collection, toRead)) current.set(id, document);
      const next = await compute(current);
      const operations: AnyBulkWriteOperation<Revisioned<D>>[] = [];
      const written: Revisioned<D>[] = [];
      const pendingIds = new Set(pending);
      for (const [id, document] of next) {
        // A retry round rewrites only the ids that collided; the others are written already.
        if (!pendingIds.has(id)) continue;
        const revision = current.get(id)?.revision ?? 0;
        const stored = {
          ...document,
          revision: revision === 0 ? this.firstRevision : revision + 1,
        } as Revisioned<D>;
        operations.push(
          revision === 0
            ? { insertOne: { document: stored as never } }
            : { replaceOne: { filter: { _id: id, revision } as never, replacement: stored, upsert: true } },
        );
        written.push(stored);
      }
      if (operations.length === 0) return;
      const { writeErrors, unanswered } = await this.writer.write(collection, operations);
      // Refused, or in a command answered only in part: recomputed from a fresh read (a write that did
      // land then shows in the document, and computes to nothing more to write).
      const unconfirmed = new Set([...writeErrors.map((e) => e.index), ...unanswered]);
      written.forEach((document, index) => {
        if (unconfirmed.has(index)) this.lastWritten.delete(key(document._id));
        else this.lastWritten.set(key(document._id), document);
      });
      if (unconfirmed.size === 0) return;
      const refused = firstRefusal(collection.collectionName, writeErrors);
      if (refused) throw refused;
      if (round >= maxRounds)
        throw new StoreWriteUnconfirmedError(
          `${unconfirmed.size} writes to ${collection.collectionName} not confirmed after ${round} rounds`,
        );
      pending = [...unconfirmed].map((index) => written[index]!._id);
    }
  }
}
