import { Semaphore } from "async-mutex";
import {
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type Collection,
  type Document,
  type WriteConcernSettings,
} from "mongodb";
import { operationErrorsOf } from "./store-errors";
import type { StoreProfile } from "./store-profile";

export interface ChunkedWriteResult {
  insertedCount: number;
  upsertedCount: number;
  modifiedCount: number;
  /** Operations the server refused, by their index in the whole list (every chunk is still sent). */
  writeErrors: { index: number; code: number | undefined; message: string }[];
  /**
   * Operations whose outcome is unknown, by index: every operation of a command the server answered for
   * fewer than it was sent (FerretDB 1.24 stops an update command at its first refused update; a server
   * stopping mid-command answers for part).
   */
  unanswered: number[];
}

/** The operations one command carries, by position in the whole list: inserts only, or updates only. */
interface CommandChunk {
  updates: boolean;
  positions: number[];
}

/**
 * Sends bulk writes within the store's limits: inserts and updates in separate bounded commands,
 * several commands at once, updates in flight bounded over the whole projector instance.
 */
export class ChunkedWriter {
  private readonly updatesInFlight: Semaphore;
  /** Acknowledged once a majority of the replica set has it in its journal (a standalone server: its own). */
  readonly writeConcern: WriteConcernSettings = { w: "majority", journal: true };

  constructor(readonly profile: StoreProfile) {
    this.updatesInFlight = new Semaphore(profile.updatesInFlight);
  }

  /** Unordered writes (inserts and upserts only), results and refusals summed over the commands. */
  async write<D extends Document>(
    collection: Collection<D>,
    operations: readonly AnyBulkWriteOperation<D>[],
  ): Promise<ChunkedWriteResult> {
    const total: ChunkedWriteResult = {
      insertedCount: 0,
      upsertedCount: 0,
      modifiedCount: 0,
      writeErrors: [],
      unanswered: [],
    };
    const chunks = this.commandChunks(operations as readonly AnyBulkWriteOperation<Document>[]);
    await this.inParallel(chunks, async ({ updates, positions }) => {
      const chunk = positions.map((position) => operations[position]!);
      let result: {
        insertedCount: number;
        upsertedCount: number;
        modifiedCount: number;
        matchedCount: number;
      };
      let refused: { index: number; code: number | undefined; errmsg?: string }[] = [];
      try {
        result = updates
          ? await this.updatesInFlight.runExclusive(
              () => collection.bulkWrite(chunk, { ordered: false, writeConcern: this.writeConcern }),
              Math.min(chunk.length, this.profile.updatesInFlight),
            )
          : await collection.bulkWrite(chunk, { ordered: false, writeConcern: this.writeConcern });
      } catch (error) {
        // No per-operation errors: the whole command failed (server lost, shut down, write concern),
        // which the store classifies; the driver 7.9 reports a write-concern error this way too.
        if (!(error instanceof MongoBulkWriteError) || operationErrorsOf(error).length === 0) throw error;
        result = error.result;
        refused = operationErrorsOf(error);
      }
      total.insertedCount += result.insertedCount;
      total.upsertedCount += result.upsertedCount;
      total.modifiedCount += result.modifiedCount;
      for (const e of refused)
        total.writeErrors.push({ index: positions[e.index]!, code: e.code, message: e.errmsg ?? "" });
      const answered = result.insertedCount + result.matchedCount + result.upsertedCount + refused.length;
      if (answered < chunk.length) total.unanswered.push(...positions);
    });
    return total;
  }

  /** Reads documents by `_id`: one `$in` where the store serves it from the index, else one lookup each. */
  async findByIds<D extends Document & { _id: string }>(
    collection: Collection<D>,
    ids: readonly string[],
  ): Promise<Map<string, D>> {
    const found = new Map<string, D>();
    if (ids.length === 0) return found;
    if (this.profile.indexedInQueries) {
      for (const document of await collection.find({ _id: { $in: ids } } as never).toArray())
        found.set((document as unknown as D)._id, document as unknown as D);
      return found;
    }
    await this.inParallel(ids, async (id) => {
      const document = await collection.findOne({ _id: id } as never);
      if (document) found.set(id, document as unknown as D);
    });
    return found;
  }

  /** Counts documents per value of one field, one equality count each (indexed on every store). */
  async countByField<D extends Document>(
    collection: Collection<D>,
    field: string,
    values: readonly string[],
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    await this.inParallel(values, async (value) => {
      counts.set(value, await collection.countDocuments({ [field]: value } as never));
    });
    return counts;
  }

  private commandChunks(operations: readonly AnyBulkWriteOperation<Document>[]): CommandChunk[] {
    const inserts: number[] = [];
    const updates: number[] = [];
    operations.forEach((operation, index) => ("insertOne" in operation ? inserts : updates).push(index));
    const chunks: CommandChunk[] = [];
    const { insertsPerCommand, updatesPerCommand } = this.profile;
    for (let start = 0; start < inserts.length; start += insertsPerCommand)
      chunks.push({ updates: false, positions: inserts.slice(start, start + insertsPerCommand) });
    for (let start = 0; start < updates.length; start += updatesPerCommand)
      chunks.push({ updates: true, positions: updates.slice(start, start + updatesPerCommand) });
    return chunks;
  }

  private async inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    let failed = false;
    const worker = async () => {
      for (let i = next++; i < items.length && !failed; i = next++) {
        try {
          await work(items[i]!);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const workers = Math.min(this.profile.concurrentCommands, items.length);
    // Every command sent is waited for, even after one failed: none may outlive the call that sent it.
    const settled = await Promise.allSettled(Array.from({ length: workers }, worker));
    const rejected = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (rejected) throw rejected.reason;
  }
}
