import { MongoServerError, type Db } from "mongodb";
import { storeProfiles } from "../mongo/store-profile";
import { swapCollections } from "./collection-swap";

/**
 * A database of named collections whose renameCollection answers as the server named does: MongoDB
 * replaces an existing target with `dropTarget` and refuses it without (48 NamespaceExists); FerretDB
 * 1.24 answers `dropTarget` with 238 NotImplemented (both FerretDB answers seen on the native stack).
 */
function fakeDatabase(server: "mongodb" | "ferretdb", collections: Record<string, string[]>) {
  const calls: string[] = [];
  let afterDrop: (name: string) => void = () => undefined;
  const refuse = (code: number, errmsg: string) => new MongoServerError({ ok: 0, code, errmsg });
  const db = {
    collection: (name: string) => ({
      drop: async () => {
        calls.push(`drop ${name}`);
        if (!(name in collections)) throw refuse(26, "ns not found");
        delete collections[name];
        afterDrop(name);
        return true;
      },
    }),
    renameCollection: async (from: string, to: string, options?: { dropTarget?: boolean }) => {
      calls.push(`rename ${from} ${to}${options?.dropTarget ? " dropTarget" : ""}`);
      if (options?.dropTarget && server === "ferretdb")
        throw refuse(238, 'renameCollection: support for field "dropTarget" with non-default value true');
      if (!(from in collections)) throw refuse(26, "source namespace does not exist");
      if (to in collections && !options?.dropTarget) throw refuse(48, "target namespace exists");
      collections[to] = collections[from]!;
      delete collections[from];
    },
  } as unknown as Db;
  return { db, calls, afterEachDrop: (hook: (name: string) => void) => (afterDrop = hook) };
}

const rebuilt = (declared: string) => `${declared}_rebuild_x`;
const liveAndRebuilt = () => ({
  conversations: ["old"],
  conversations_rebuild_x: ["new"],
  inbound_messages: ["old"],
  inbound_messages_rebuild_x: ["new"],
});
const live = ["conversations", "inbound_messages"];

it("swaps on MongoDB in one renameCollection with dropTarget per collection, dropping nothing", async () => {
  const collections = liveAndRebuilt();
  const { db, calls } = fakeDatabase("mongodb", collections);
  await swapCollections(db, rebuilt, live, storeProfiles.mongodb);
  expect(calls).toEqual([
    "rename conversations_rebuild_x conversations dropTarget",
    "rename inbound_messages_rebuild_x inbound_messages dropTarget",
  ]);
  expect(collections).toEqual({ conversations: ["new"], inbound_messages: ["new"] });
});

it("swaps on FerretDB by drop then rename, never asking for dropTarget", async () => {
  const collections = liveAndRebuilt();
  const { db, calls } = fakeDatabase("ferretdb", collections);
  await swapCollections(db, rebuilt, live, storeProfiles["ferretdb-1.24"]);
  expect(calls).toEqual([
    "drop conversations",
    "rename conversations_rebuild_x conversations",
    "drop inbound_messages",
    "rename inbound_messages_rebuild_x inbound_messages",
  ]);
  expect(collections).toEqual({ conversations: ["new"], inbound_messages: ["new"] });
});

it("would fail on FerretDB with the mongodb profile: the profile, not the code, chooses dropTarget", async () => {
  const { db } = fakeDatabase("ferretdb", liveAndRebuilt());
  await expect(swapCollections(db, rebuilt, live, storeProfiles.mongodb)).rejects.toMatchObject({
    code: 238,
  });
});

it("drops and renames again when the live projector recreates the collection in between", async () => {
  const collections = liveAndRebuilt();
  const { db, calls, afterEachDrop } = fakeDatabase("ferretdb", collections);
  let recreations = 2;
  afterEachDrop((name) => {
    if (name === "conversations" && recreations-- > 0) collections.conversations = ["written meanwhile"];
  });
  await swapCollections(db, rebuilt, ["conversations"], storeProfiles["ferretdb-1.24"]);
  expect(calls.filter((call) => call.startsWith("rename"))).toHaveLength(3);
  expect(collections).toEqual({
    conversations: ["new"],
    inbound_messages: ["old"],
    inbound_messages_rebuild_x: ["new"],
  });
});

it("gives up after ten tries, naming where the rebuilt documents still are", async () => {
  const collections = liveAndRebuilt();
  const { db, calls, afterEachDrop } = fakeDatabase("ferretdb", collections);
  afterEachDrop((name) => (collections[name as keyof typeof collections] = ["written meanwhile"]));
  await expect(
    swapCollections(db, rebuilt, ["conversations"], storeProfiles["ferretdb-1.24"]),
  ).rejects.toThrow(/the rebuilt documents are still in conversations_rebuild_x/);
  expect(calls.filter((call) => call.startsWith("rename"))).toHaveLength(10);
  expect(collections.conversations_rebuild_x).toEqual(["new"]);
});
