import type { IndexSpecification } from "mongodb";

/** A document as the store keeps it: the projection's fields and the store's `revision`. */
export interface StoredDocument {
  _id: string;
  revision: number;
  [field: string]: unknown;
}

/**
 * One write the fold decided: an insert of a document that was not there, or a replace of the one read
 * at `expectedRevision`. Either fails, and is reported unconfirmed, when another writer got there first.
 */
export type DocumentWrite =
  | { kind: "insert"; document: StoredDocument }
  | { kind: "replace"; document: StoredDocument; expectedRevision: number };

/**
 * What the projector framework needs of a store: five calls, no fold, no retry. Implemented for MongoDB
 * (projector/mongo) and in memory (tests). Writes are durable once they resolve; a refusal for the
 * documents' content throws a non-retriable WriteRefusedError, anything else a retriable ProjectorError.
 */
export interface ReadModelStore {
  /** The database the read models live in (write spans name it). */
  readonly database: string;
  /** The documents stored under these ids (an id with none is absent from the map). */
  find(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument>>;
  /** Applies the writes; returns the ids whose write did not land or may not have (read and decide again). */
  write(collection: string, writes: readonly DocumentWrite[]): Promise<{ unconfirmed: string[] }>;
  /** For each value, the number of documents whose `field` equals it. */
  countBy(collection: string, field: string, values: readonly string[]): Promise<Map<string, number>>;
  /** Sets `field` to `to` in every document where it is one of `from`, moving their revision. */
  repoint(collection: string, field: string, from: readonly string[], to: string): Promise<void>;
  /** Creates the collection with its indexes when missing. */
  ensureCollection(collection: string, indexes: readonly IndexSpecification[]): Promise<void>;
}
