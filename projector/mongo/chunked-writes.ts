import { Semaphore } from "async-mutex";
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type Document } from "mongodb";

/**
 * Bounds of what this process sends to the MongoDB-wire server. FerretDB 1.24 (both backends) runs the
 * updates of a command one after another, and keeps each one's query (one PostgreSQL connection from its
 * pool) open until the whole command ends, while each update's transaction takes one more. Updates in
 * flight beyond its pool deadlock it for every client, ping included: 8 commands of 25 updates did,
 * on its default pool of 50 connections and on the 150 our native stack gives it (2026-11-24). So updates
 * go 5 to a command, and at most 20 are in flight in the whole process, over every partition and call
 * (measured here: about 1,900 updates/s with 5 x 4 in flight, the same as 1 x 32; 25 x 1 gave 900/s).
 * Inserts go 100 to a command: FerretDB writes those in one transaction (its default batch size).
 * It reads every document of the collection into itself for `_id: {$in: [...]}`, while an `_id`
 * equality is filtered in the database. MongoDB serves both from its index.
 */
const updatesPerCommand = 5;
const insertsPerCommand = 100;
const updatesInFlight = new Semaphore(20);
/** Commands in flight at once per call: FerretDB commits each write on its own, so concurrency is its throughput. */
const concurrentCommands = 8;

export interface ChunkedWriteResult {
  insertedCount: number;
  upsertedCount: number;
  modifiedCount: number;
  /** Operations the server refused, by their index in the whole list (every chunk is still sent). */
  writeErrors: { index: number; code: number | undefined; message: string }[];
  /**
   * Operations whose outcome is unknown, by index: every operation of a command the server answered for
   * fewer than it was sent. FerretDB 1.24 stops an update command at its first refused update (the ones
   * before are written, the ones after are not, and the refusal is reported as the command's first), and
   * a server stopping mid-command answers for part. Only with `unanswered: "report"`.
   */
  unanswered: number[];
}

/** The operations one command carries, by position in the whole list: inserts only, or updates only. */
interface CommandChunk {
  updates: boolean;
  positions: number[];
}

function commandChunks(operations: readonly AnyBulkWriteOperation<Document>[]): CommandChunk[] {
  const inserts: number[] = [];
  const updates: number[] = [];
  operations.forEach((operation, index) => ("insertOne" in operation ? inserts : updates).push(index));
  const chunks: CommandChunk[] = [];
  for (let start = 0; start < inserts.length; start += insertsPerCommand)
    chunks.push({ updates: false, positions: inserts.slice(start, start + insertsPerCommand) });
  for (let start = 0; start < updates.length; start += updatesPerCommand)
    chunks.push({ updates: true, positions: updates.slice(start, start + updatesPerCommand) });
  return chunks;
}

/**
 * Unordered bulk writes, inserts and updates in separate bounded commands, several at once; results and
 * refusals summed. Every operation must be an insert or an upsert. When the server accounts for fewer
 * operations of a command than it was sent, throws, or with `unanswered: "report"` lists them (a caller
 * that can recompute them from a fresh read).
 */
export async function bulkWriteInChunks<D extends Document>(
  collection: Collection<D>,
  operations: readonly AnyBulkWriteOperation<D>[],
  options: { unanswered: "throw" | "report" } = { unanswered: "throw" },
): Promise<ChunkedWriteResult> {
  const total: ChunkedWriteResult = {
    insertedCount: 0,
    upsertedCount: 0,
    modifiedCount: 0,
    writeErrors: [],
    unanswered: [],
  };
  const chunks = commandChunks(operations as readonly AnyBulkWriteOperation<Document>[]);
  await inParallel(chunks, async ({ updates, positions }) => {
    const chunk = positions.map((position) => operations[position]!);
    let result: { insertedCount: number; upsertedCount: number; modifiedCount: number; matchedCount: number };
    let refused: { index: number; code: number | undefined; errmsg?: string }[] = [];
    try {
      result = updates
        ? await updatesInFlight.runExclusive(
            () => collection.bulkWrite(chunk, { ordered: false }),
            chunk.length,
          )
        : await collection.bulkWrite(chunk, { ordered: false });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      result = error.result;
      refused = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    }
    total.insertedCount += result.insertedCount;
    total.upsertedCount += result.upsertedCount;
    total.modifiedCount += result.modifiedCount;
    for (const e of refused)
      total.writeErrors.push({ index: positions[e.index]!, code: e.code, message: e.errmsg ?? "" });
    // Every operation inserted, matched, upserted or was refused. A server stopping mid-command
    // (FerretDB on SIGTERM, seen in make faults) answered for fewer; the batch must not be committed as is.
    const answered = result.insertedCount + result.matchedCount + result.upsertedCount + refused.length;
    if (answered < chunk.length) {
      if (options.unanswered === "report") total.unanswered.push(...positions);
      else
        throw new Error(
          `${collection.collectionName}: the server answered for ${answered} of ${chunk.length} writes`,
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
