import { MongoBulkWriteError, MongoServerSelectionError } from "mongodb";
import { createLogger } from "../../runtime/logger";
import { storeErrorOf } from "./store-errors";
import { StoreReconnector } from "./store-reconnect";

const selectionError = () =>
  new MongoServerSelectionError("connection 3 to 127.0.0.1:27017 closed", { servers: new Map() } as never);
/** As the driver 7.9 throws it from a bulk write: wrapped, with no per-operation errors. */
const noServer = () =>
  storeErrorOf(new MongoBulkWriteError(selectionError() as never, { insertedCount: 0 } as never), "c", true);

function reconnector() {
  let now = 0;
  const calls: string[] = [];
  const client = {
    close: async () => void calls.push("close"),
    connect: async () => void calls.push("connect"),
  };
  const store = new StoreReconnector(client, 30_000, createLogger("test", "silent"), () => now);
  return { store, calls, at: (ms: number) => (now = ms) };
}

it("reopens the client once no server was selected for the whole delay", async () => {
  const { store, calls, at } = reconnector();
  await store.failed(noServer());
  at(29_999);
  await store.failed(noServer());
  expect(calls).toEqual([]);
  at(30_000);
  await store.failed(noServer());
  expect(calls).toEqual(["close", "connect"]);
  // The delay starts again after a reopening.
  at(31_000);
  await store.failed(noServer());
  expect(calls).toEqual(["close", "connect"]);
});

it("starts counting again after a success, and ignores other errors", async () => {
  const { store, calls, at } = reconnector();
  await store.failed(noServer());
  at(20_000);
  store.succeeded();
  await store.failed(noServer());
  at(40_000);
  await store.failed(new Error("E11000 duplicate key"));
  await store.failed(noServer());
  expect(calls).toEqual([]);
  at(50_000);
  await store.failed(noServer());
  expect(calls).toEqual(["close", "connect"]);
});

it("reopens once for failures that arrive together", async () => {
  const { store, calls, at } = reconnector();
  await store.failed(noServer());
  at(30_000);
  await Promise.all([store.failed(noServer()), store.failed(noServer()), store.failed(noServer())]);
  expect(calls).toEqual(["close", "connect"]);
});
