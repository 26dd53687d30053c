import { BSON, type Db, type IndexSpecification } from "mongodb";
import { StoreUnavailableError, type WriteRefusedError } from "../framework/errors";
import type { DocumentWrite, ReadModelStore, StoredDocument } from "../framework/store-port";
import { ChunkedWriter } from "./chunked-writes";
import { documentTooLargeCode, firstRefusal, refusal, storeErrorOf } from "./store-errors";
import type { StoreProfile } from "./store-profile";
import type { StoreReconnector } from "./store-reconnect";

/**
 * The store port over MongoDB (or a MongoDB-wire server): reads by `_id`, conditional writes as
 * insertOne and replaceOne upserting on `{_id, revision}` (a document another writer changed makes
 * either collide on `_id`, reported unconfirmed), equality counts. Every write waits for a majority of
 * the replica set and the journal, so a Kafka offset is committed only after its writes are durable.
 */
export class MongoStore implements ReadModelStore {
  private readonly writer: ChunkedWriter;

  constructor(
    private readonly db: Db,
    readonly profile: StoreProfile,
    private readonly reconnector?: StoreReconnector,
  ) {
    this.writer = new ChunkedWriter(profile);
  }

  get database(): string {
    return this.db.databaseName;
  }

  find(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument>> {
    if (ids.length === 0) return Promise.resolve(new Map());
    return this.call(collection, false, () =>
      this.writer.findByIds(this.db.collection<StoredDocument>(collection), ids),
    );
  }

  write(collection: string, writes: readonly DocumentWrite[]): Promise<{ unconfirmed: string[] }> {
    if (writes.length === 0) return Promise.resolve({ unconfirmed: [] });
    return this.call(collection, true, async () => {
      const result = await this.writer
        .write(
          this.db.collection<StoredDocument>(collection),
          writes.map((write) =>
            write.kind === "insert"
              ? { insertOne: { document: write.document } }
              : {
                  replaceOne: {
                    filter: { _id: write.document._id, revision: write.expectedRevision },
                    replacement: write.document,
                    upsert: true,
                  },
                },
          ),
        )
        .catch((error: unknown) => {
          throw tooLargeAmong(collection, writes) ?? error;
        });
      const refused = firstRefusal(collection, result.writeErrors);
      if (refused) throw refused;
      // Collided on `_id` (another writer was first), or in a command answered only in part.
      const unconfirmed = new Set([...result.writeErrors.map((e) => e.index), ...result.unanswered]);
      return { unconfirmed: [...unconfirmed].map((index) => writes[index]!.document._id) };
    });
  }

  countBy(collection: string, field: string, values: readonly string[]): Promise<Map<string, number>> {
    if (values.length === 0) return Promise.resolve(new Map());
    return this.call(collection, false, () =>
      this.writer.countByField(this.db.collection(collection), field, values),
    );
  }

  repoint(collection: string, field: string, from: readonly string[], to: string): Promise<void> {
    return this.call(collection, true, async () => {
      // One equality each: every store serves it from the field's index.
      for (const id of from)
        await this.db
          .collection(collection)
          .updateMany(
            { [field]: id },
            { $set: { [field]: to }, $inc: { revision: 1 } },
            { writeConcern: this.writer.writeConcern },
          );
    });
  }

  ensureCollection(collection: string, indexes: readonly IndexSpecification[]): Promise<void> {
    return this.call(collection, false, async () => {
      for (const index of indexes) await this.db.collection(collection).createIndex(index);
      // The collection exists once its indexes do, so a rebuild can always swap it in.
      if (indexes.length === 0) await this.db.createCollection(collection).catch(() => undefined);
    });
  }

  /**
   * Runs a call that reaches the server: what the driver throws becomes the framework's error, and the
   * reconnector hears of the outcome.
   */
  private async call<T>(collection: string, write: boolean, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.reconnector?.succeeded();
      return result;
    } catch (thrown) {
      const error = storeErrorOf(thrown, collection, write);
      if (error instanceof StoreUnavailableError) await this.reconnector?.failed(error);
      throw error;
    }
  }
}

/** The largest document a MongoDB-wire server takes (BSON bytes). */
const maxDocumentBytes = 16 * 1024 * 1024;

/**
 * A refusal for the first document over the size limit, if one is: the driver's serializer may fail on
 * one with a bare RangeError before its own size check, which must not be taken for a passing failure.
 */
function tooLargeAmong(collection: string, writes: readonly DocumentWrite[]): WriteRefusedError | undefined {
  for (const { document } of writes) {
    const bytes = BSON.calculateObjectSize(document);
    if (bytes > maxDocumentBytes)
      return refusal(
        collection,
        documentTooLargeCode,
        `document ${document._id} is ${bytes} bytes of BSON, over the ${maxDocumentBytes}-byte limit`,
      );
  }
  return undefined;
}
