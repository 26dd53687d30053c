import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Document } from "mongodb";

const duplicateKey = 11000;

/**
 * Writes computed documents with optimistic concurrency, using only classic operations both MongoDB
 * and FerretDB support: replaceOne upserting on `{_id, revision}`. A document someone else wrote in
 * between makes its upsert collide on _id (E11000); those ids are recomputed from a fresh read and
 * written again. One bulk write per round.
 */
export async function writeRevisioned<D extends Document & { _id: string; revision: number }>(
  collection: Collection<D>,
  ids: readonly string[],
  compute: (current: Map<string, D>) => Map<string, D>,
  maxRounds = 5,
): Promise<void> {
  let pending = [...new Set(ids)];
  for (let round = 1; pending.length > 0; round++) {
    const current = new Map<string, D>();
    const found = await collection.find({ _id: { $in: pending } } as never).toArray();
    for (const document of found) current.set(document._id as string, document as D);
    const next = compute(current);
    const operations: AnyBulkWriteOperation<D>[] = [];
    const order: string[] = [];
    for (const [id, document] of next) {
      const revision = current.get(id)?.revision ?? 0;
      operations.push({
        replaceOne: {
          filter: { _id: id, revision } as never,
          replacement: { ...document, revision: revision + 1 } as never,
          upsert: true,
        },
      });
      order.push(id);
    }
    if (operations.length === 0) return;
    try {
      await collection.bulkWrite(operations, { ordered: false });
      return;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      const conflicts = writeErrors.filter((e) => e.code === duplicateKey);
      if (conflicts.length !== writeErrors.length || round >= maxRounds) throw error;
      pending = conflicts.map((e) => order[e.index]!);
    }
  }
}
