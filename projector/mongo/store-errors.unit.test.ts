import {
  BSON,
  MongoBulkWriteError,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoRuntimeError,
  MongoServerError,
} from "mongodb";
import {
  isRetriable,
  StoreCallFailedError,
  StoreUnavailableError,
  StoreWriteUnconfirmedError,
  WriteRefusedError,
} from "../framework/errors";
import { firstRefusal, storeErrorOf } from "./store-errors";

const result = { insertedCount: 0, getWriteConcernError: () => undefined } as never;
/** As the driver 7.9 wraps what a bulk write's command threw. */
const wrapped = (thrown: object) => new MongoBulkWriteError(thrown as never, result);
const write = true;

describe("storeErrorOf: what the driver throws, as the framework's errors", () => {
  it("takes a bulk write's wrapped network failure for the store being away, not for an unanswered write", () => {
    const error = storeErrorOf(wrapped(new MongoNetworkError("connection reset")), "c", write);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(isRetriable(error)).toBe(true);
  });

  it("counts a write-concern failure as not applied: retried, never taken as written", () => {
    const error = storeErrorOf(
      wrapped({ message: "waiting for replication timed out", code: 64 }),
      "c",
      write,
    );
    expect(error).toBeInstanceOf(StoreWriteUnconfirmedError);
    expect(isRetriable(error)).toBe(true);
  });

  it("reads a wrapped whole-command refusal by the server's code: content refused for good, the rest retried", () => {
    const badValue = new MongoServerError({ ok: 0, errmsg: "invalid key", code: 2 });
    const notPrimary = new MongoServerError({ ok: 0, errmsg: "not primary", code: 10107 });
    expect(storeErrorOf(wrapped(badValue), "c", write)).toMatchObject({ code: 2, retriable: false });
    expect(storeErrorOf(wrapped(notPrimary), "c", write)).toMatchObject({ code: 10107, retriable: true });
  });

  it("refuses a document over the size limit for good, so it is dead-lettered", () => {
    const error = storeErrorOf(
      new MongoInvalidArgumentError("Document is larger than the maximum size 16777216"),
      "c",
      write,
    );
    expect(error).toBeInstanceOf(WriteRefusedError);
    expect(isRetriable(error)).toBe(false);
    expect(isRetriable(firstRefusal("c", [{ code: 10334, message: "too large" }]))).toBe(false);
    expect(isRetriable(firstRefusal("c", [{ code: 17280, message: "key too long" }]))).toBe(false);
  });

  it("refuses content of a write the server or the serializer cannot take, and waits out other server errors", () => {
    expect(isRetriable(storeErrorOf(new MongoServerError({ message: "bad key", code: 2 }), "c", write))).toBe(
      false,
    );
    expect(isRetriable(storeErrorOf(new BSON.BSONError("key contains null byte"), "c", write))).toBe(false);
    const internal = storeErrorOf(new MongoServerError({ message: "storage away", code: 1 }), "c", write);
    expect(internal).toBeInstanceOf(WriteRefusedError);
    expect(isRetriable(internal)).toBe(true);
  });

  it("retries a read the server refuses, and a driver-side failure, without taking the store for away", () => {
    const read = storeErrorOf(new MongoServerError({ message: "bad query", code: 2 }), "c", false);
    expect(read).toBeInstanceOf(StoreCallFailedError);
    expect(isRetriable(read)).toBe(true);
    expect(storeErrorOf(new MongoRuntimeError("unexpected"), "c", write)).toBeInstanceOf(
      StoreCallFailedError,
    );
  });
});
