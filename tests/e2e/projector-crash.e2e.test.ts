import { MongoClient } from "mongodb";
import type { MessageStatusEvent } from "../../contracts/generated/types";
import {
  evolveMessageStatus,
  type MessageStatusDocument,
} from "../../projector/projections/status/status-timeline";
import { statusEvent } from "../fixtures/status-events";
import { eventually, EventProducer } from "../support/event-producer";
import { startServiceProcess, type ServiceProcess } from "../support/service-process";

// A status projector killed (-9) in the middle of a backlog, then restarted, ends with exactly the
// documents a clean run gives: nothing lost, nothing applied twice.
const env = {
  TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}crash.`,
  MONGODB_DB: `whatsapp_test_${process.env.TEST_RUN_ID}_crash`,
  CONSUMER_GROUP: `crash-${process.env.TEST_RUN_ID}`,
  LOG_LEVEL: "warn",
  // Small batches, so the kill lands between many write-then-commit steps.
  MAX_BATCH_BYTES: "65536",
};
const messages = 2000;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const projectors: ServiceProcess[] = [];

afterAll(async () => {
  // A failed expectation must not leave a projector running (it would keep jest alive).
  await Promise.all(projectors.map((p) => p.kill()));
  await mongo.close();
});

it("ends identical after a kill -9 mid-batch and a restart", async () => {
  const statuses = ["sent", "delivered", "read"];
  const events: MessageStatusEvent[] = [];
  for (let m = 0; m < messages; m++) {
    for (const [i, status] of statuses.entries())
      events.push(statusEvent(`wamid.crash-${m}`, status, 1750000000 + m + i));
  }
  const producer = new EventProducer(env.TOPIC_PREFIX);
  await producer.connect(["messageStatus"]);
  await producer.send(
    "messageStatus",
    events.map((e) => ({ key: e.wamid, value: e })),
  );
  await producer.disconnect();

  const collection = mongo.db(env.MONGODB_DB).collection<MessageStatusDocument>("message_statuses");
  const first = await startServiceProcess("status-projector", "dist/projector/main.js", {
    ...env,
    PROJECTION: "status",
  });
  projectors.push(first);
  const partial = await eventually(
    () => collection.countDocuments(),
    (count) => count > 0,
    60_000,
  );
  await first.kill();
  expect(partial).toBeLessThan(messages);

  const second = await startServiceProcess("status-projector", "dist/projector/main.js", {
    ...env,
    PROJECTION: "status",
  });
  projectors.push(second);
  await eventually(
    () => collection.countDocuments({ "timeline.2": { $exists: true } }),
    (count) => count === messages,
    120_000,
  );
  expect(await second.stop()).toBe(0);

  const expected = new Map<string, MessageStatusDocument>();
  for (const event of events)
    expected.set(event.wamid, evolveMessageStatus(expected.get(event.wamid) ?? null, event));
  const stored = await collection.find({}).toArray();
  expect(stored).toHaveLength(messages);
  const differing = stored.filter((doc) => {
    const { revision: _revision, ...actual } = doc as MessageStatusDocument & { revision: number };
    return JSON.stringify(actual) !== JSON.stringify(expected.get(doc._id)!);
  });
  expect(differing.map((d) => d._id)).toEqual([]);
});
