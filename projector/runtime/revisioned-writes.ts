import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { bulkWriteInChunks, findByIds } from "./mongo-batches";

const duplicateKey = 11000;

/**
 * Writes computed documents with optimistic concurrency, using only classic operations both MongoDB
 * and FerretDB support: insertOne for a document not there yet, replaceOne upserting on
 * `{_id, revision}` for one that is. A document someone else wrote in between makes the insert or the
 * upsert collide on _id (E11000); those ids are recomputed from a fresh read and written again. Each round reads the touched documents by id and writes them in bounded bulk commands.
 */
export async function writeRevisioned<D extends Document & { _id: string; revision: number }>(
  collection: Collection<D>,
  ids: readonly string[],
  compute: (current: Map<string, D>) => Map<string, D>,
  maxRounds = 5,
): Promise<void> {
  let pending = [...new Set(ids)];
  for (let round = 1; pending.length > 0; round++) {
    const current = await findByIds(collection, pending);
    const next = compute(current);
    const operations: AnyBulkWriteOperation<D>[] = [];
    const order: string[] = [];
    const pendingIds = new Set(pending);
    for (const [id, document] of next) {
      // A retry round recomputes only the ids that collided; the others are written already.
      if (!pendingIds.has(id)) continue;
      const revision = current.get(id)?.revision ?? 0;
      operations.push(
        revision === 0
          ? { insertOne: { document: { ...document, revision: 1 } as never } }
          : {
              replaceOne: {
                filter: { _id: id, revision } as never,
                replacement: { ...document, revision: revision + 1 } as never,
                upsert: true,
              },
            },
      );
      order.push(id);
    }
    if (operations.length === 0) return;
    const { writeErrors } = await bulkWriteInChunks(collection, operations);
    if (writeErrors.length === 0) return;
    const conflicts = writeErrors.filter((e) => e.code === duplicateKey);
    if (conflicts.length !== writeErrors.length || round >= maxRounds) {
      throw new Error(
        `${writeErrors.length} writes to ${collection.collectionName} refused: ${writeErrors[0]!.message}`,
      );
    }
    pending = conflicts.map((e) => order[e.index]!);
  }
}
