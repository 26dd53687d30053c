import { LRUCache } from "lru-cache";
import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { bulkWriteInChunks, findByIds } from "./mongo-batches";

const duplicateKey = 11000;

/**
 * The documents this process wrote last, by namespace and id, as written (revision included). A
 * message's next status usually comes seconds after the one before, so its next write starts from here
 * instead of reading the document back: on FerretDB a read by `_id` costs about two thirds of the
 * replace that follows it. Trusting it is safe because every replace is conditional on the revision it
 * was computed from: a document changed since by anyone else (another instance after a rebalance, a
 * rebuild's swap) fails that condition, and its id is recomputed from a fresh read like any collision.
 * 10,000 documents: about 50 s of the bench's 200 deliveries/s, a few MB.
 */
const lastWritten = new LRUCache<string, Document>({ max: 10_000 });
const cacheKey = (collection: { namespace: string }, id: string) => `${collection.namespace}\u0000${id}`;

/**
 * Writes computed documents with optimistic concurrency, using only classic operations both MongoDB
 * and FerretDB support: insertOne for a document not there yet, replaceOne upserting on
 * `{_id, revision}` for one that is. A document someone else wrote in between makes the insert or the
 * upsert collide on _id (E11000); those ids are recomputed from a fresh read and written again. The first
 * round starts from the documents this process wrote last where it has them, takes the ids the caller
 * expects to be new as absent (an insert, refused if the document is there after all), and reads the
 * others by id; every write goes in bounded bulk commands. `compute` sees every id each round: the
 * collided ones as read afresh, the others as they were, so what it counts is the whole batch's.
 */
export async function writeRevisioned<D extends Document & { _id: string; revision: number }>(
  collection: Collection<D>,
  ids: readonly string[],
  compute: (current: Map<string, D>) => Map<string, D>,
  options: {
    /** Ids most likely not stored yet (a message's sent status): written without a read first. */
    likelyNew?: (id: string) => boolean;
    maxRounds?: number;
  } = {},
): Promise<void> {
  try {
    await writeRounds(collection, ids, compute, options.likelyNew, options.maxRounds ?? 5);
  } catch (error) {
    // What could not be confirmed is forgotten: the next attempt starts from the database.
    for (const id of ids) lastWritten.delete(cacheKey(collection, id));
    throw error;
  }
}

async function writeRounds<D extends Document & { _id: string; revision: number }>(
  collection: Collection<D>,
  ids: readonly string[],
  compute: (current: Map<string, D>) => Map<string, D>,
  likelyNew: ((id: string) => boolean) | undefined,
  maxRounds: number,
): Promise<void> {
  const key = (id: string) => cacheKey(collection, id);
  const current = new Map<string, D>();
  let pending = [...new Set(ids)];
  for (let round = 1; pending.length > 0; round++) {
    const toRead: string[] = [];
    for (const id of pending) {
      // A retry round collided with someone else's write: only a fresh read will do.
      const written = round === 1 ? (lastWritten.get(key(id)) as D | undefined) : undefined;
      current.delete(id);
      if (written) current.set(id, written);
      else if (round > 1 || !likelyNew?.(id)) toRead.push(id);
    }
    for (const [id, document] of await findByIds(collection, toRead)) current.set(id, document);
    const next = compute(current);
    const operations: AnyBulkWriteOperation<D>[] = [];
    const written: D[] = [];
    const pendingIds = new Set(pending);
    for (const [id, document] of next) {
      // A retry round recomputes only the ids that collided; the others are written already.
      if (!pendingIds.has(id)) continue;
      const revision = current.get(id)?.revision ?? 0;
      const stored = { ...document, revision: revision + 1 };
      operations.push(
        revision === 0
          ? { insertOne: { document: stored as never } }
          : {
              replaceOne: {
                filter: { _id: id, revision } as never,
                replacement: stored as never,
                upsert: true,
              },
            },
      );
      written.push(stored);
    }
    if (operations.length === 0) return;
    const { writeErrors, unanswered } = await bulkWriteInChunks(collection, operations, {
      unanswered: "report",
    });
    // Refused, or in a command the server answered only in part: recomputed from a fresh read (a write
    // that did land then shows in the document, and computes to nothing more to write).
    const unconfirmed = new Set([...writeErrors.map((e) => e.index), ...unanswered]);
    written.forEach((document, index) => {
      if (unconfirmed.has(index)) lastWritten.delete(key(document._id));
      else lastWritten.set(key(document._id), document);
    });
    if (unconfirmed.size === 0) return;
    const others = writeErrors.filter((e) => e.code !== duplicateKey);
    if (others.length > 0 || round >= maxRounds) {
      throw new Error(
        `${unconfirmed.size} writes to ${collection.collectionName} not confirmed after ${round} rounds` +
          (writeErrors.length > 0 ? `: ${(others[0] ?? writeErrors[0])!.message}` : ""),
      );
    }
    pending = [...unconfirmed].map((index) => written[index]!._id);
  }
}
