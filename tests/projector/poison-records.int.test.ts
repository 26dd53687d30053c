import { MongoClient } from "mongodb";
import type { InboundMessageEvent, MessageStatusEvent } from "../../contracts/generated/types";
import { readModel, type Projection } from "../../projector/framework/projection";
import type { InboundMessageDocument } from "../../projector/projections/conversation/inbound-message";
import { conversationProjection } from "../../projector/projections/conversation/projection";
import { statusProjection } from "../../projector/projections/status/projection";
import type { MessageStatusDocument } from "../../projector/projections/status/status-timeline";
import { inboundEvent } from "../fixtures/inbound-events";
import { statusEvent } from "../fixtures/status-events";
import { eventually, EventProducer } from "../support/event-producer";
import { readTopic } from "../support/kafka-records";
import { TestProjectors } from "../support/projectors";

// Records the MongoDB-wire server would refuse as sent, through the projectors against the real stack:
// none may stop a partition.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const projectors = new TestProjectors();
const start = projectors.start.bind(projectors);

afterAll(async () => {
  await projectors.stopAll();
  await mongo.close();
});

it("stores inbound messages whose content has $-keys, dotted keys, nested arrays or U+0000, and every message after them", async () => {
  const prefix = `${process.env.TOPIC_PREFIX}poison-inbound.`;
  const database = `whatsapp_test_${run}_poison_inbound`;
  const producer = new EventProducer(prefix);
  await producer.connect(["inboundMessage"]);
  const hostile: [string, Record<string, unknown>][] = [
    ["dollar", { type: "text", text: { body: "x" }, $where: "sleep(1)" }],
    ["dotted", { type: "text", text: { body: "x", "a.b": 1 } }],
    ["nested", { type: "text", text: { body: "x" }, extra: [[1, 2]] }],
    ["nul", { type: "text", text: { body: "a\u0000b" } }],
  ];
  const events: InboundMessageEvent[] = [];
  hostile.forEach(([name, body], i) =>
    events.push(inboundEvent(`wamid.poison-${name}`, 1750000000 + i, body, { waId: `165055500${i}` })),
  );
  for (let i = 0; i < 12; i++)
    events.push(
      inboundEvent(
        `wamid.valid-${i}`,
        1750000100 + i,
        { type: "text", text: { body: `valid ${i}` } },
        { waId: `16505551${i % 4}` },
      ),
    );
  await producer.send(
    "inboundMessage",
    events.map((e) => ({ key: `${e.phoneNumberId}:${e.from}`, value: e })),
  );
  await start(conversationProjection, prefix, database);

  const messages = mongo.db(database).collection<InboundMessageDocument>("inbound_messages");
  await eventually(
    () => messages.countDocuments(),
    (count) => count === events.length,
  );
  expect(await messages.findOne({ _id: "wamid.poison-nul" })).toMatchObject({
    text: { body: "a\uFFFDb" },
    messageJson: null,
  });
  const dollar = (await messages.findOne({ _id: "wamid.poison-dollar" }))!;
  expect(Object.keys(dollar)).not.toContain("$where");
  expect(JSON.parse(dollar.messageJson!)).toMatchObject({ $where: "sleep(1)" });
  expect((await messages.findOne({ _id: "wamid.poison-dotted" }))!.text).toBeUndefined();
  expect((await messages.findOne({ _id: "wamid.poison-nested" }))!.extra).toBeUndefined();
  await producer.disconnect();
});

it("keeps U+0000 in a status's callback data from stopping its partition", async () => {
  const prefix = `${process.env.TOPIC_PREFIX}poison-status.`;
  const database = `whatsapp_test_${run}_poison_status`;
  const producer = new EventProducer(prefix);
  await producer.connect(["messageStatus"]);
  const events: MessageStatusEvent[] = [
    statusEvent("wamid.nul-callback", "sent", 1000, { bizOpaqueCallbackData: "order\u00001" }),
    ...Array.from({ length: 12 }, (_, i) => statusEvent(`wamid.after-${i}`, "sent", 1001 + i)),
  ];
  // One key for all: every record on one partition, behind the first.
  await producer.send(
    "messageStatus",
    events.map((e) => ({ key: "one-partition", value: e })),
  );
  await start(statusProjection, prefix, database);

  const statuses = mongo.db(database).collection<MessageStatusDocument>("message_statuses");
  await eventually(
    () => statuses.countDocuments(),
    (count) => count === events.length,
  );
  expect((await statuses.findOne({ _id: "wamid.nul-callback" }))!.bizOpaqueCallbackData).toBe("order\uFFFD1");
  await producer.disconnect();
});

it("dead-letters the records a store refuses for their content, applies the rest, and goes on", async () => {
  const prefix = `${process.env.TOPIC_PREFIX}poison-refused.`;
  const database = `whatsapp_test_${run}_poison_refused`;
  const producer = new EventProducer(prefix);
  await producer.connect(["messageStatus"]);
  // The status projection plus a read model whose document for some events no MongoDB-wire server
  // takes: over 16 MiB, or with a field name holding U+0000 (BSON ends names with it). Both are refused
  // in this process, before anything is sent, whatever the store: no test here leans on FerretDB's
  // refusals (a `$`-prefixed field name, which MongoDB 5 and later store).
  const refusing: Projection<MessageStatusEvent> = {
    ...statusProjection,
    readModels: [
      ...statusProjection.readModels,
      readModel<MessageStatusEvent, { _id: string }>({
        collection: "refusing",
        indexes: [],
        documentId: (event) => event.eventId,
        evolve: (current, event) =>
          current ??
          (event.wamid.startsWith("wamid.oversized")
            ? { _id: event.eventId, padding: "x".repeat(17 * 1024 * 1024) }
            : event.wamid.startsWith("wamid.nul-name")
              ? { _id: event.eventId, ["order\u0000id"]: 1 }
              : { _id: event.eventId }),
      }),
    ],
  };
  const refusedAt: Record<number, string> = { 3: "oversized", 13: "nul-name", 23: "oversized" };
  const events = Array.from({ length: 30 }, (_, i) =>
    statusEvent(`wamid.${refusedAt[i] ?? "accepted"}-${i}`, "sent", 2000 + i),
  );
  await producer.send(
    "messageStatus",
    events.map((e) => ({ key: "one-partition", value: e })),
  );
  await start(refusing, prefix, database);

  const letters = await readTopic(`${prefix}whatsapp.deadletter.v1`, (records) => records.length >= 3);
  expect(letters.map((l) => l.key).sort()).toEqual(["one-partition", "one-partition", "one-partition"]);
  const reasons = new Map(letters.map((l) => [Number(l.value.sourceOffset), l.value.reason as string]));
  expect([...reasons.keys()].sort((a, b) => a - b)).toEqual([3, 13, 23]);
  for (const offset of [3, 23])
    expect(reasons.get(offset)).toMatch(/^refused_by_store: .*\(code 10334\).*over the 16777216-byte limit/);
  expect(reasons.get(13)).toMatch(/^refused_by_store: .*\(code 2\).*must not contain null bytes/);
  const accepted = mongo.db(database).collection("refusing");
  await eventually(
    () => accepted.countDocuments(),
    (count) => count === 27,
  );
  await producer.disconnect();
});

it("stalls, and names, a partition whose every record is refused alike, instead of dead-lettering them all", async () => {
  const prefix = `${process.env.TOPIC_PREFIX}poison-stalled.`;
  const database = `whatsapp_test_${run}_poison_stalled`;
  const producer = new EventProducer(prefix);
  await producer.connect(["messageStatus"]);
  // A projection whose own code fails for every event: the fault is not the records'.
  const failing: Projection<MessageStatusEvent> = {
    ...statusProjection,
    readModels: [
      readModel<MessageStatusEvent, { _id: string }>({
        collection: "failing",
        indexes: [],
        documentId: (event) => event.eventId,
        evolve: () => {
          throw new Error("a bug in the projection");
        },
      }),
    ],
  };
  await producer.send(
    "messageStatus",
    [1, 2, 3].map((i) => ({ key: "stuck", value: statusEvent(`wamid.stuck-${i}`, "sent", 3000 + i) })),
  );
  const projector = await start(failing, prefix, database, { STALL_AFTER_MS: "1000" });
  const base = `http://127.0.0.1:${projector.operationsPort}`;

  const stalledSeries =
    /whatsapp_projector_partition_stalled\{[^}]*topic="[^"]*whatsapp\.message\.status\.v1",partition="(\d+)"[^}]*\} 1/;
  const metrics = await eventually(
    () => fetch(`${base}/metrics`).then((r) => r.text()),
    (text) => stalledSeries.test(text),
    60_000,
  );
  const partition = stalledSeries.exec(metrics)![1];
  expect(metrics).toMatch(
    new RegExp(`whatsapp_projector_consumer_lag\\{[^}]*partition="${partition}"[^}]*\\} 3`),
  );
  expect(metrics).not.toMatch(/whatsapp_projector_dead_lettered_total\{[^}]*\} [1-9]/);
  const readiness = await eventually(
    () =>
      fetch(`${base}/readyz`).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { checks: Record<string, boolean> },
      })),
    (answer) => answer.status === 503,
  );
  expect(readiness.body.checks).toMatchObject({
    [`status: ${prefix}whatsapp.message.status.v1 partition ${partition} progressing`]: false,
  });
  await producer.disconnect();
});
