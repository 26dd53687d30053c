import {
  BSON,
  MongoBulkWriteError,
  MongoError,
  MongoInvalidArgumentError,
  MongoServerError,
  type WriteError,
} from "mongodb";
import { StoreUnavailableError, StoreWriteUnconfirmedError, WriteRefusedError } from "../framework/errors";

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
]);

/** The code a refused document over the server's size limit is reported under. */
const documentTooLargeCode = 10334;

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
 * What the driver threw for a whole command, as the framework's error. The driver 7.9 wraps network,
 * shutdown and whole-command failures of a bulk write in a MongoBulkWriteError with no per-operation
 * errors: the error it wraps says which. A document over the size limit is refused before it is sent.
 */
export function storeErrorOf(error: unknown, collection: string): Error {
  if (error instanceof MongoBulkWriteError && operationErrorsOf(error).length === 0) {
    if (error.errorResponse instanceof Error) return storeErrorOf(error.errorResponse, collection);
    return new StoreWriteUnconfirmedError(
      `${collection}: write concern not satisfied (code ${error.code ?? "none"}): ${error.message}`,
    );
  }
  if (error instanceof BSON.BSONError) return refusal(collection, 2, error.message);
  if (error instanceof MongoInvalidArgumentError && /larger than the maximum size/.test(error.message))
    return new WriteRefusedError(collection, documentTooLargeCode, error.message, false);
  if (error instanceof MongoServerError)
    return refusal(collection, typeof error.code === "number" ? error.code : undefined, error.message);
  if (error instanceof MongoError)
    return new StoreUnavailableError(`${collection}: ${error.name}: ${error.message}`, error);
  return error instanceof Error ? error : new Error(String(error));
}
