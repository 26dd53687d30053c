import { MongoClient } from "mongodb";
import type { BusinessEvent } from "../../contracts/generated/types";
import { readModel, type Projection } from "../../projector/framework/projection";
import { conversationProjection } from "../../projector/projections/conversation/projection";
import { statusProjection } from "../../projector/projections/status/projection";
import { inboundEvent } from "../fixtures/inbound-events";
import { inboundMessageBodies, PHONE_NUMBER_ID, WABA_ID } from "../fixtures/meta-webhooks";
import { statusEvent } from "../fixtures/status-events";
import { eventually, EventProducer } from "../support/event-producer";
import { TestProjectors } from "../support/projectors";
import { stackKafka } from "../support/stack-clients";

// One projector process running several projections, one of them on a topic it shares with other fields.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const projectors = new TestProjectors();
const prefix = `${process.env.TOPIC_PREFIX}projector-process.`;
const database = `whatsapp_test_${run}_projector_process`;

afterAll(async () => {
  await projectors.stopAll();
  await mongo.close();
});

/** A read model of one field of whatsapp.business.event.v1: every other field is not its own. */
const templateStatuses: Projection<BusinessEvent> = {
  name: "template-statuses",
  topics: ["businessEvent"],
  canHandle: (decoded) => (decoded as Partial<BusinessEvent>).field === "message_template_status_update",
  validate: (decoded) =>
    typeof (decoded as Partial<BusinessEvent>).eventId === "string"
      ? (decoded as BusinessEvent)
      : "no eventId",
  readModels: [
    readModel<BusinessEvent, { _id: string; event: string }>({
      collection: "template_statuses",
      indexes: [],
      documentId: (event) => event.eventId,
      evolve: (current, event) =>
        current ?? { _id: event.eventId, event: (JSON.parse(event.valueJson) as { event: string }).event },
    }),
  ],
};

const businessEvent = (eventId: string, field: string, value: object): BusinessEvent => ({
  eventId,
  rawEventId: "raw-1",
  wabaId: WABA_ID,
  field,
  valueJson: JSON.stringify(value),
  entryTime: 1750000000000,
  receivedAt: 1750000000000,
});

it("runs several projections in one process, each in its own group, skipping what a projection does not handle", async () => {
  const producer = new EventProducer(prefix);
  await producer.connect(["messageStatus", "inboundMessage", "businessEvent"]);
  const statuses = [
    statusEvent("wamid.one-process", "sent", 100),
    statusEvent("wamid.one-process", "read", 105),
  ];
  const messages = [inboundEvent("wamid.one-process-in", 1750000000, inboundMessageBodies.text!)];
  const business = [
    businessEvent("b1", "message_template_status_update", { event: "APPROVED" }),
    businessEvent("b2", "account_update", { event: "ACCOUNT_VIOLATION" }),
    businessEvent("b3", "phone_number_quality_update", { event: "FLAGGED" }),
    businessEvent("b4", "message_template_status_update", { event: "PAUSED" }),
  ];
  await producer.send(
    "messageStatus",
    statuses.map((e) => ({ key: e.wamid, value: e })),
  );
  await producer.send(
    "inboundMessage",
    messages.map((e) => ({ key: e.from, value: e })),
  );
  await producer.send(
    "businessEvent",
    business.map((e) => ({ key: e.wabaId, value: e })),
  );

  const projector = await projectors.start(
    [statusProjection, conversationProjection, templateStatuses] as Projection<never>[],
    prefix,
    database,
  );
  const db = mongo.db(database);
  await eventually(
    () => db.collection("template_statuses").find({}).sort({ _id: 1 }).toArray(),
    (docs) => docs.length === 2,
  );
  const status = await eventually(
    () => db.collection("message_statuses").findOne({ _id: "wamid.one-process" as never }),
    (doc) => doc?.status === "read",
  );
  expect(status!.timeline).toHaveLength(2);
  const conversation = await eventually(
    () => db.collection("conversations").findOne({}),
    (doc) => doc?.messageCount === 1,
  );
  expect(conversation).toMatchObject({
    phoneNumberId: PHONE_NUMBER_ID,
    lastMessageId: "wamid.one-process-in",
  });
  expect(
    (await db.collection("template_statuses").find({}).sort({ _id: 1 }).toArray()).map((d) => d.event),
  ).toEqual(["APPROVED", "PAUSED"]);

  const base = `http://127.0.0.1:${projector.operationsPort}`;
  const metrics = await eventually(
    () => fetch(`${base}/metrics`).then((r) => r.text()),
    (text) => text.includes('whatsapp_projector_records_skipped_total{projection="template-statuses"'),
  );
  const series = (name: string, labels: string, value: number) =>
    new RegExp(`${name}\\{[^}]*${labels}[^}]*\\} ${value}\n`);
  expect(metrics).toMatch(
    series(
      "whatsapp_projector_records_skipped_total",
      'projection="template-statuses",reason="not_handled"',
      2,
    ),
  );
  expect(metrics).toMatch(series("whatsapp_projector_events_applied_total", 'projection="status"', 2));
  expect(metrics).toMatch(series("whatsapp_projector_events_applied_total", 'projection="conversation"', 1));
  expect(metrics).not.toMatch(/whatsapp_projector_dead_lettered_total\{[^}]*\} [1-9]/);
  const readiness = (await fetch(`${base}/readyz`).then((r) => r.json())) as {
    checks: Record<string, boolean>;
  };
  expect(readiness.checks).toMatchObject({
    "status: kafka": true,
    "conversation: kafka": true,
    "template-statuses: kafka": true,
  });

  // Each projection committed every record of its topic in a group of its own, the skipped ones too.
  const admin = stackKafka("test").admin();
  await admin.connect();
  const committed: Record<string, number> = {};
  for (const [group, topic] of [
    ["whatsapp-status-projector", "whatsapp.message.status.v1"],
    ["whatsapp-conversation-projector", "whatsapp.message.inbound.v1"],
    ["whatsapp-template-statuses-projector", "whatsapp.business.event.v1"],
  ] as const) {
    const [offsets] = await admin.fetchOffsets({
      groupId: `${prefix}${group}`,
      topics: [`${prefix}${topic}`],
    });
    committed[group] = offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }
  await admin.disconnect();
  expect(committed).toEqual({
    "whatsapp-status-projector": 2,
    "whatsapp-conversation-projector": 1,
    "whatsapp-template-statuses-projector": 4,
  });
  await producer.disconnect();
});
