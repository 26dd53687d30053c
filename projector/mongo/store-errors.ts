import {
  BSON,
  MongoBulkWriteError,
  MongoError,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type WriteError,
} from "mongodb";
import {
  StoreCallFailedError,
  StoreUnavailableError,
  StoreWriteUnconfirmedError,
  WriteRefusedError,
} from "../framework/errors";

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
  17419, // the resulting document is too large
]);

/** The code a refused document over the server's size limit is reported under. */
export const documentTooLargeCode = 10334;

/** The driver's errors that mean no server could be reached: the reconnector counts them. */
const unreachable = [
  MongoNetworkError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoServerClosedError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
];

/** A bulk write error's per-operation errors (the driver types them as one or many). */
export const operationErrorsOf = (error: MongoBulkWriteError): WriteError[] =>
  ([] as WriteError[]).concat(error.writeErrors);

/** A server's refusal of one write, as the error to throw: retriable unless it is for the content. */
export const refusal = (collection: string, code: number | undefined, detail: string): WriteRefusedError =>
  new WriteRefusedError(collection, code, detail, code === undefined || !contentRefusalCodes.has(code));

/** The first write a command refused for something other than a duplicate `_id`, as an error to throw. */
export function firstRefusal(
  collection: string,
  writeErrors: readonly { code: number | undefined; message: string }[],
): WriteRefusedError | undefined {
  const refused = writeErrors.find((e) => e.code !== duplicateKeyCode);
  return refused && refusal(collection, refused.code, refused.message);
}

/**
 * What the driver threw for a whole command, as the framework's error. `write` says whether the command
 * wrote: only a write is refused for its content (never retried, dead-lettered); a read the server
 * refuses is retried. The driver 7.9 wraps network, shutdown and whole-command failures of a bulk write
 * in a MongoBulkWriteError with no per-operation errors; what it wraps, or its write-concern error,
 * says which. A document over the size limit is refused before it is sent.
 */
export function storeErrorOf(error: unknown, collection: string, write: boolean): Error {
  if (error instanceof MongoBulkWriteError && operationErrorsOf(error).length === 0) {
    if (error.errorResponse instanceof Error) return storeErrorOf(error.errorResponse, collection, write);
    // A server's refusal of the whole command carries its reply (`errmsg`); a write-concern error does not.
    const reply = error.errorResponse as { errmsg?: unknown } | undefined;
    if (typeof reply?.errmsg !== "string" || error.result?.getWriteConcernError?.())
      return new StoreWriteUnconfirmedError(
        `${collection}: write not confirmed (code ${error.code ?? "none"}): ${error.message}`,
      );
    return refusal(collection, typeof error.code === "number" ? error.code : undefined, error.message);
  }
  if (unreachable.some((kind) => error instanceof kind))
    return new StoreUnavailableError(
      `${collection}: ${(error as Error).name}: ${(error as Error).message}`,
      error,
    );
  if (write && error instanceof BSON.BSONError) return refusal(collection, 2, error.message);
  if (
    write &&
    error instanceof MongoInvalidArgumentError &&
    /larger than the maximum size/.test(error.message)
  )
    return refusal(collection, documentTooLargeCode, error.message);
  if (write && error instanceof MongoServerError)
    return refusal(collection, typeof error.code === "number" ? error.code : undefined, error.message);
  if (error instanceof MongoError)
    return new StoreCallFailedError(`${collection}: ${error.name}: ${error.message}`, error);
  return error instanceof Error ? error : new Error(String(error));
}
