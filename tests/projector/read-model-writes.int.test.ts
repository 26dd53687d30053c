import { MongoClient } from "mongodb";
import type { MessageStatusEvent } from "../../contracts/generated/types";
import { ReadModelWriter } from "../../projector/framework/read-model-writer";
import { MongoStore } from "../../projector/mongo/mongo-store";
import { chooseStoreProfile } from "../../projector/mongo/store-profile";
import { statusProjection } from "../../projector/projections/status/projection";
import {
  evolveMessageStatus,
  type MessageStatusDocument,
} from "../../projector/projections/status/status-timeline";
import { statusEvent } from "../fixtures/status-events";

// The read-model writes of the status projection against the real MongoDB-wire server.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!, { monitorCommands: true });
const database = mongo.db(`whatsapp_test_${run}_read_model_writes`);
/** Names of the commands sent to one collection while `work` runs. */
async function commandsTo(collection: string, work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
    if (event.command[event.commandName] === collection) sent.push(event.commandName);
  };
  mongo.on("commandStarted", listener);
  try {
    await work();
  } finally {
    mongo.off("commandStarted", listener);
  }
  return sent;
}

/** The status projection's read model under another collection name, with a store instance of its own. */
async function statusReadModel(name: string) {
  const readModels = new ReadModelWriter(
    statusProjection,
    new MongoStore(database, await chooseStoreProfile(database, "auto")),
    { rememberedDocuments: 10_000 },
  );
  readModels.writeInto(() => name);
  return {
    collection: database.collection<MessageStatusDocument & { revision: number }>(name),
    apply: (events: MessageStatusEvent[]) => readModels.apply(events),
  };
}

afterAll(async () => {
  await database.dropDatabase();
  await mongo.close();
});

it("applies three partitions' batches of updates at once without exhausting the server's connections", async () => {
  // FerretDB 1.24 holds a PostgreSQL connection for every update of a command until the command ends,
  // and each update needs one more: 3 batches x 8 commands x 25 updates in flight deadlocked its pool
  // (every client, even ping, then waited forever).
  const { collection: statuses, apply } = await statusReadModel("catch_up");
  const partitions = [0, 1, 2].map((p) => Array.from({ length: 500 }, (_, i) => `wamid.catch-up-${p}-${i}`));
  await Promise.all(partitions.map((wamids) => apply(wamids.map((w) => statusEvent(w, "sent", 1000)))));

  const outcomes = await Promise.all(
    partitions.map((wamids) => apply(wamids.map((w) => statusEvent(w, "delivered", 1001)))),
  );

  expect(outcomes).toEqual([0, 1, 2].map(() => ({ applied: 500, duplicates: 0 })));
  expect(await statuses.countDocuments({ status: "delivered" })).toBe(1500);
}, 60_000);

it("starts from a fresh read when someone else wrote the document after this process did", async () => {
  // This process remembers what it wrote last and starts the next write of that document from it; a
  // write by another instance since (a rebalance moved the partition) must not be overwritten.
  const { collection: statuses, apply } = await statusReadModel("written_elsewhere");
  const wamid = "wamid.written-elsewhere";
  await apply([statusEvent(wamid, "sent", 2000)]);
  const mine = (await statuses.findOne({ _id: wamid }))!;
  const theirs = evolveMessageStatus(mine, statusEvent(wamid, "delivered", 2001));
  await statuses.replaceOne(
    { _id: wamid, revision: mine.revision },
    { ...theirs, revision: mine.revision + 1 },
  );

  let outcome: unknown;
  const commands = await commandsTo("written_elsewhere", async () => {
    outcome = await apply([statusEvent(wamid, "read", 2002)]);
  });

  // Written from memory, refused (revision), read afresh, written again.
  expect(commands).toEqual(["update", "find", "update"]);
  const stored = (await statuses.findOne({ _id: wamid }))!;
  expect(outcome).toEqual({ applied: 1, duplicates: 0 });
  expect(stored.timeline.map((entry) => entry.status)).toEqual(["sent", "delivered", "read"]);
  expect(stored).toMatchObject({ status: "read", revision: mine.revision + 2 });
  expect(stored.deliveredAt).toEqual(new Date(2001_000));
});

it("takes a redelivered event as a duplicate without reading or writing the document again", async () => {
  const { collection: statuses, apply } = await statusReadModel("redelivered");
  const wamid = "wamid.redelivered";
  await apply([statusEvent(wamid, "sent", 3000), statusEvent(wamid, "delivered", 3001)]);

  let outcome: unknown;
  const commands = await commandsTo("redelivered", async () => {
    outcome = await apply([statusEvent(wamid, "delivered", 3001)]);
  });

  expect(commands).toEqual([]);
  expect(outcome).toEqual({ applied: 0, duplicates: 1 });
  expect((await statuses.findOne({ _id: wamid }))!.revision).toBe(1);
});

it("writes a new message's sent status without reading first", async () => {
  const { collection: statuses, apply } = await statusReadModel("sent_first");

  const commands = await commandsTo("sent_first", () =>
    apply([statusEvent("wamid.sent-first", "sent", 4000)]),
  );

  expect(commands).toEqual(["insert"]);
  expect((await statuses.findOne({ _id: "wamid.sent-first" }))!.status).toBe("sent");
});

it("takes a replayed sent status of a message this process never wrote as a duplicate, after one refused insert", async () => {
  const { collection: statuses, apply } = await statusReadModel("replayed_sent");
  const wamid = "wamid.replayed-sent";
  const sent = statusEvent(wamid, "sent", 5000);
  const delivered = statusEvent(wamid, "delivered", 5001);
  const stored = evolveMessageStatus(evolveMessageStatus(null, sent), delivered);
  await statuses.insertOne({ ...stored, revision: 1 });

  let outcome: unknown;
  const commands = await commandsTo("replayed_sent", async () => {
    outcome = await apply([sent, delivered]);
  });

  // Taken as new (insert, refused on _id), then read: nothing left to write.
  expect(commands).toEqual(["insert", "find"]);
  expect(outcome).toEqual({ applied: 0, duplicates: 2 });
  expect(await statuses.findOne({ _id: wamid })).toMatchObject({ revision: 1, status: "delivered" });
});

it("recomputes every write of a command the server answered only in part", async () => {
  // FerretDB 1.24 stops an update command at its first refused update: the ones after it are neither
  // written nor answered for. Here the first update is refused (its document was written elsewhere).
  // MongoDB answers every update, so there this checks only the outcome; the in-part answer itself is
  // unit-tested for both servers in projector/mongo/chunked-writes.unit.test.ts.
  const { collection: statuses, apply } = await statusReadModel("answered_in_part");
  const wamids = Array.from({ length: 5 }, (_, i) => `wamid.in-part-${i}`);
  await apply(wamids.map((w) => statusEvent(w, "sent", 6000)));
  const first = (await statuses.findOne({ _id: wamids[0]! }))!;
  await statuses.replaceOne({ _id: first._id }, { ...first, revision: first.revision + 1 });

  const outcome = await apply(wamids.map((w) => statusEvent(w, "delivered", 6001)));

  expect(outcome).toEqual({ applied: 5, duplicates: 0 });
  const stored = await statuses.find({}).toArray();
  expect(stored.map((d) => [d._id, d.status]).sort()).toEqual(wamids.map((w) => [w, "delivered"]));
});
