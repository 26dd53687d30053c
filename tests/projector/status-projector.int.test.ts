import { MongoClient } from "mongodb";
import type { MessageStatusEvent } from "../../contracts/generated/types";
import { StoreWriteUnconfirmedError } from "../../projector/framework/errors";
import { readModel, type Projection } from "../../projector/framework/projection";
import { statusProjection } from "../../projector/projections/status/projection";
import {
  evolveMessageStatus,
  type MessageStatusDocument,
} from "../../projector/projections/status/status-timeline";
import { statusEvent } from "../fixtures/status-events";
import { eventually, EventProducer } from "../support/event-producer";
import { readTopic } from "../support/kafka-records";
import { TestProjectors } from "../support/projectors";

// The status projector in-process against real Kafka, registry and MongoDB-wire server.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const projectors = new TestProjectors();

const startStatusProjector = (
  prefix: string,
  database: string,
  projection: Projection<MessageStatusEvent> = statusProjection,
) => projectors.start(projection, prefix, database);

afterAll(async () => {
  await projectors.stopAll();
  await mongo.close();
});

const expectedDocuments = (events: MessageStatusEvent[]) => {
  const docs = new Map<string, MessageStatusDocument>();
  for (const event of events)
    docs.set(event.wamid, evolveMessageStatus(docs.get(event.wamid) ?? null, event));
  return docs;
};
const withoutRevision = ({ revision: _r, ...rest }: MessageStatusDocument & { revision?: number }) => rest;

it("converges to one document per message, whatever the order, with duplicates collapsed", async () => {
  const prefix = `${process.env.TOPIC_PREFIX}status-converge.`;
  const database = `whatsapp_test_${run}_status_converge`;
  const producer = new EventProducer(prefix);
  await producer.connect(["messageStatus"]);
  const events: MessageStatusEvent[] = [];
  for (let m = 0; m < 50; m++) {
    const wamid = `wamid.converge-${m}`;
    events.push(
      statusEvent(wamid, "sent", 1000 + m),
      statusEvent(wamid, "delivered", 1001 + m),
      statusEvent(wamid, "read", 1005 + m),
    );
  }
  // Shuffled, with every event twice: redeliveries and replays.
  const shuffled = [...events, ...events]
    .sort((a, b) => (a.eventId + a.status).localeCompare(b.eventId + b.status))
    .reverse();
  await producer.send(
    "messageStatus",
    shuffled.map((e) => ({ key: e.wamid, value: e })),
  );
  await startStatusProjector(prefix, database);

  const collection = mongo.db(database).collection<MessageStatusDocument>("message_statuses");
  const stored = await eventually(
    () => collection.find({}).toArray(),
    (docs) => docs.length === 50 && docs.every((d) => d.timeline.length === 3),
  );
  const expected = expectedDocuments(events);
  for (const doc of stored) expect(withoutRevision(doc)).toEqual(withoutRevision(expected.get(doc._id)!));
  expect(stored.every((d) => d.status === "read")).toBe(true);
  await producer.disconnect();
});

it("re-applies a batch harmlessly when it fails after the write and before the commit", async () => {
  const prefix = `${process.env.TOPIC_PREFIX}status-crash.`;
  const database = `whatsapp_test_${run}_status_crash`;
  const producer = new EventProducer(prefix);
  await producer.connect(["messageStatus"]);
  const events = Array.from({ length: 30 }, (_, i) =>
    statusEvent(`wamid.crash-${i % 10}`, ["sent", "delivered", "read"][i % 3]!, 2000 + i),
  );
  let failures = 0;
  // The real projection, plus a read model written after it that "crashes" the first batch: the status
  // documents are written, the offsets are not committed.
  const crashingOnce: Projection<MessageStatusEvent> = {
    ...statusProjection,
    readModels: [
      ...statusProjection.readModels,
      readModel<MessageStatusEvent, { _id: string }>({
        collection: "crash_probe",
        indexes: [],
        documentId: (event) => event.eventId,
        // A retriable failure: the slice fails after message_statuses was written, nothing is committed.
        evolve: (current, event) => {
          if (failures++ === 0)
            throw new StoreWriteUnconfirmedError("simulated crash between write and commit");
          return current ?? { _id: event.eventId };
        },
      }),
    ],
  };
  await producer.send(
    "messageStatus",
    events.map((e) => ({ key: e.wamid, value: e })),
  );
  await startStatusProjector(prefix, database, crashingOnce);
  // Every probe document is there only once the failed slice was delivered again and re-applied.
  await eventually(
    () => mongo.db(database).collection("crash_probe").countDocuments(),
    (count) => count === events.length,
  );
  const collection = mongo.db(database).collection<MessageStatusDocument>("message_statuses");
  const expected = expectedDocuments(events);
  const stored = await collection.find({}).toArray();
  expect(stored).toHaveLength(expected.size);
  expect(failures).toBeGreaterThan(1);
  for (const doc of stored) expect(withoutRevision(doc)).toEqual(withoutRevision(expected.get(doc._id)!));
  await producer.disconnect();
});

it("sends poison records to the dead-letter topic with the reason and original bytes, and goes on", async () => {
  const prefix = `${process.env.TOPIC_PREFIX}status-poison.`;
  const database = `whatsapp_test_${run}_status_poison`;
  const producer = new EventProducer(prefix);
  await producer.connect(["messageStatus"]);
  await startStatusProjector(prefix, database);
  const garbage = Buffer.from("this is not Avro");
  const unknownSchema = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from("xyz")]);
  await producer.sendRaw("messageStatus", [
    { key: "poison-1", value: garbage },
    { key: "poison-2", value: unknownSchema },
  ]);
  await producer.send("messageStatus", [{ key: "poison-3", value: statusEvent("", "sent", 3000) }]);
  await producer.send("messageStatus", [
    { key: "wamid.after-poison", value: statusEvent("wamid.after-poison", "sent", 3001) },
  ]);

  const letters = await readTopic(`${prefix}whatsapp.deadletter.v1`, (records) => records.length >= 3);
  const byKey = new Map(letters.map((r) => [r.key, r.value]));
  expect(Buffer.compare(byKey.get("poison-1")!.value as Buffer, garbage)).toBe(0);
  expect(byKey.get("poison-1")!.reason).toMatch(/^undecodable/);
  expect(Buffer.compare(byKey.get("poison-2")!.value as Buffer, unknownSchema)).toBe(0);
  expect(byKey.get("poison-2")!.reason).toMatch(/^undecodable/);
  expect(byKey.get("poison-3")!.reason).toBe("not_applicable: field wamid is missing or empty");
  expect(byKey.get("poison-3")!).toMatchObject({
    sourceTopic: `${prefix}whatsapp.message.status.v1`,
    consumerGroup: `${prefix}whatsapp-status-projector`,
  });

  const collection = mongo.db(database).collection<MessageStatusDocument>("message_statuses");
  await eventually(
    () => collection.findOne({ _id: "wamid.after-poison" }),
    (doc) => doc?.status === "sent",
  );
  await producer.disconnect();
});
