import { MongoClient } from "mongodb";
import type { MessageStatusEvent } from "../../contracts/generated/types";
import {
  evolveMessageStatus,
  type MessageStatusDocument,
} from "../../projector/projections/status/status-timeline";
import { statusEvent } from "../fixtures/status-events";
import { eventually, EventProducer } from "../support/event-producer";
import { startServiceProcess, type ServiceProcess } from "../support/service-process";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

// A status projector killed (-9) between a write and its commit, then restarted, ends with exactly the
// documents a clean run gives: nothing lost, nothing applied twice. It reaches the store through a proxy
// that, once it has written, holds every answer: its writes in flight land, it never hears so, never
// commits them, and is killed there.
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
let storeProxy: TcpProxy | undefined;

afterAll(async () => {
  // A failed expectation must not leave a projector running (it would keep jest alive).
  await Promise.all(projectors.map((p) => p.kill()));
  await storeProxy?.close();
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

  const collection = mongo.db(env.MONGODB_DB).collection<MessageStatusDocument>("message_statuses");
  const store = new URL(process.env.MONGODB_URI!);
  storeProxy = await startTcpProxy({ host: store.hostname, port: Number(store.port || 27017) });
  const throughProxy = new URL(process.env.MONGODB_URI!);
  throughProxy.host = `127.0.0.1:${storeProxy.port}`;
  throughProxy.searchParams.set("directConnection", "true");
  const first = await startServiceProcess("status-projector", "dist/projector/main.js", {
    ...env,
    PROJECTION: "status",
    MONGODB_URI: throughProxy.toString(),
  });
  projectors.push(first);
  // The backlog arrives once the projector is in its group, so it is still applying it when held.
  await producer.send(
    "messageStatus",
    events.map((e) => ({ key: e.wamid, value: e })),
  );
  await producer.disconnect();
  await eventually(
    () => collection.countDocuments(),
    (count) => count > 0,
    60_000,
  );
  storeProxy.holdAnswers();
  // The writes it sends from now on still land; wait until they have, then kill it mid-commit.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  let stable = -1;
  await eventually(
    async () => {
      const count = await collection.countDocuments({ "timeline.2": { $exists: true } });
      const settled = count === stable;
      stable = count;
      return settled;
    },
    (settled) => settled,
    30_000,
  );
  await first.kill();
  const partial = await collection.countDocuments();
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
  // Events the first projector wrote but never committed came again, and changed nothing.
  const metrics = await fetch(`${second.operationsUrl}/metrics`).then((r) => r.text());
  const redelivered = [...metrics.matchAll(/^whatsapp_projector_duplicates_skipped_total\{[^}]*\} (\d+)$/gm)]
    .map((match) => Number(match[1]))
    .reduce((sum, n) => sum + n, 0);
  expect(redelivered).toBeGreaterThan(0);
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
