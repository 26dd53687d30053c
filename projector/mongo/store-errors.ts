import { BSON, MongoServerError } from "mongodb";

export const duplicateKeyCode = 11000;

/**
 * Server codes that refuse a write for its content: the same write can never succeed. FerretDB answers
 * 2 (BadValue) for `$`-prefixed or dotted keys and nested arrays. Its code 1 (InternalError) is not here:
 * it also stands for a storage outage, which must be waited out, not dead-lettered.
 */
const contentRefusalCodes = new Set([
  2, // BadValue
  9, // FailedToParse
  14, // TypeMismatch
  52, // DollarPrefixedFieldName
  56, // EmptyFieldName
  57, // DottedFieldName
  10334, // BSONObjectTooLarge
  17280, // KeyTooLong
]);

/** The store refused a write; `retriable` says whether for its state (wait) or for its content (never). */
export class WriteRefusedError extends Error {
  readonly retriable: boolean;
  readonly kind = "refused_by_store";
  constructor(
    readonly collection: string,
    readonly code: number | undefined,
    detail: string,
  ) {
    super(`${collection} refused a write (code ${code ?? "none"}): ${detail}`);
    this.name = "WriteRefusedError";
    this.retriable = code === undefined || !contentRefusalCodes.has(code);
  }
}

/** The first write a command refused for something other than a duplicate `_id`, as an error to throw. */
export function firstRefusal(
  collection: string,
  writeErrors: readonly { code: number | undefined; message: string }[],
): WriteRefusedError | undefined {
  const refused = writeErrors.find((e) => e.code !== duplicateKeyCode);
  return refused && new WriteRefusedError(collection, refused.code, refused.message);
}

/** Writes whose outcome stayed unknown after every round: the batch is retried from the last commit. */
export class StoreWriteUnconfirmedError extends Error {
  readonly retriable = true;
  constructor(message: string) {
    super(message);
    this.name = "StoreWriteUnconfirmedError";
  }
}

/**
 * A command's failure as a typed refusal where it is one: the driver refusing to serialize a document
 * (a key holding U+0000) or the server refusing the whole command for its content. Anything else
 * (connection loss, timeouts, the store being down) is returned as it is, retriable.
 */
export function asWriteRefusal(error: unknown, collection: string): unknown {
  if (error instanceof BSON.BSONError) return new WriteRefusedError(collection, 2, error.message);
  if (
    error instanceof MongoServerError &&
    typeof error.code === "number" &&
    contentRefusalCodes.has(error.code)
  )
    return new WriteRefusedError(collection, error.code, error.message);
  return error;
}
