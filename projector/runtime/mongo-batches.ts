import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Document } from "mongodb";

/**
 * Bounds of one command sent to the MongoDB-wire server. FerretDB 1.24 (both backends) stopped
 * answering an `update` command that modified about 50 existing documents (40 passed, measured here
 * 2026-11-24). It reads every document of the collection into itself for `_id: {$in: [...]}`, while an
 * `_id` equality is filtered in the database (served by the index on SQLite; on PostgreSQL a scan in
 * the database, `_jsonb->'_id' @> $1`, still far cheaper). MongoDB serves both from its index.
 */
const writesPerCommand = 25;
/** Commands in flight at once: FerretDB commits each write on its own, so concurrency is its throughput. */
const concurrentCommands = 8;

export interface ChunkedWriteResult {
  upsertedCount: number;
  modifiedCount: number;
  /** Operations the server refused, by their index in the whole list (every chunk is still sent). */
  writeErrors: { index: number; code: number | undefined; message: string }[];
}

/**
 * Unordered bulk writes of `writesPerCommand` upserts, several at once; results and refusals summed.
 * Throws when the server accounts for fewer operations than it was sent.
 */
export async function bulkWriteInChunks<D extends Document>(
  collection: Collection<D>,
  operations: readonly AnyBulkWriteOperation<D>[],
): Promise<ChunkedWriteResult> {
  const total: ChunkedWriteResult = { upsertedCount: 0, modifiedCount: 0, writeErrors: [] };
  const starts: number[] = [];
  for (let start = 0; start < operations.length; start += writesPerCommand) starts.push(start);
  await inParallel(starts, async (start) => {
    const chunk = operations.slice(start, start + writesPerCommand);
    let matched: number;
    let refusedHere = 0;
    try {
      const result = await collection.bulkWrite(chunk, { ordered: false });
      total.upsertedCount += result.upsertedCount;
      total.modifiedCount += result.modifiedCount;
      matched = result.matchedCount + result.upsertedCount;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      total.upsertedCount += error.result.upsertedCount;
      total.modifiedCount += error.result.modifiedCount;
      matched = error.result.matchedCount + error.result.upsertedCount;
      const refused = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      refusedHere = refused.length;
      for (const e of refused)
        total.writeErrors.push({ index: start + e.index, code: e.code, message: e.errmsg ?? "" });
    }
    // Every operation is an upsert: it matched, inserted or was refused. A server stopping mid-command
    // (FerretDB on SIGTERM, seen in make faults) answered for fewer; the batch must not be committed.
    if (matched + refusedHere < chunk.length) {
      throw new Error(
        `${collection.collectionName}: the server answered for ${matched + refusedHere} of ${chunk.length} writes`,
      );
    }
  });
  return total;
}

/** Counts documents per value of one field, one equality count each (indexed on MongoDB; no `$in`). */
export async function countByField<D extends Document>(
  collection: Collection<D>,
  field: string,
  values: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await inParallel(values, async (value) => {
    counts.set(value, await collection.countDocuments({ [field]: value } as never));
  });
  return counts;
}

/** Reads documents by `_id`, one equality lookup each (the cheapest read on every backend we run on). */
export async function findByIds<D extends Document & { _id: string }>(
  collection: Collection<D>,
  ids: readonly string[],
): Promise<Map<string, D>> {
  const found = new Map<string, D>();
  await inParallel(ids, async (id) => {
    const document = await collection.findOne({ _id: id } as never);
    if (document) found.set(id, document as unknown as D);
  });
  return found;
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrentCommands, items.length) }, worker));
}
