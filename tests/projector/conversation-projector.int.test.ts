import { MongoClient } from "mongodb";
import type { InboundMessageEvent } from "../../contracts/generated/types";
import type { Projection } from "../../projector/framework/projection";
import { startProjector, type RunningProjector } from "../../projector/framework/projector-service";
import type { ConversationDocument } from "../../projector/projections/conversation/conversation-document";
import type { InboundMessageDocument } from "../../projector/projections/conversation/inbound-message";
import { conversationProjection } from "../../projector/projections/conversation/projection";
import { createLogger } from "../../runtime/logger";
import { inboundEvent } from "../fixtures/inbound-events";
import { inboundMessageBodies, PHONE_NUMBER_ID } from "../fixtures/meta-webhooks";
import { eventually, EventProducer } from "../support/event-producer";
import { testProjectorSettings } from "../support/projectors";

// The conversation projector in-process against the real stack.
const mongo = new MongoClient(process.env.MONGODB_URI!);
const prefix = `${process.env.TOPIC_PREFIX}conversation.`;
const database = `whatsapp_test_${process.env.TEST_RUN_ID}_conversation`;
let projector: RunningProjector;

afterAll(async () => {
  await projector?.stop();
  await mongo.close();
});

/** The fixture's message; its number change names a new number of this customer's own. */
const bodyOf = (type: string, customer: number): Record<string, unknown> => {
  const body = inboundMessageBodies[type]!;
  if (type !== "system") return body;
  const system = body.system as Record<string, unknown>;
  return { ...body, system: { ...system, wa_id: `1650555999${customer}` } };
};

it("stores every inbound message once and counts each conversation's distinct messages exactly", async () => {
  const producer = new EventProducer(prefix);
  await producer.connect(["inboundMessage"]);
  const types = Object.keys(inboundMessageBodies);
  const events: InboundMessageEvent[] = [];
  for (let customer = 0; customer < 5; customer++) {
    types.forEach((type, i) => {
      events.push(
        inboundEvent(`wamid.c${customer}-${i}`, 1750000000 + i * 60, bodyOf(type, customer), {
          waId: `1650555000${customer}`,
          profileName: i === types.length - 1 ? `Customer ${customer}` : "Earlier name",
        }),
      );
    });
  }
  const withDuplicates = [...events, ...events.slice(0, 20)].reverse();
  await producer.send(
    "inboundMessage",
    withDuplicates.map((e) => ({ key: `${e.phoneNumberId}:${e.from}`, value: e })),
  );
  projector = await startProjector(
    [conversationProjection as Projection<never>],
    testProjectorSettings(prefix, database),
    createLogger("test", "silent"),
  );

  const db = mongo.db(database);
  const conversations = await eventually(
    () =>
      db
        .collection<ConversationDocument>("conversations")
        .find({ mergedInto: { $exists: false } })
        .sort({ _id: 1 })
        .toArray(),
    (docs) => docs.length === 5 && docs.every((d) => d.messageCount === types.length),
  );
  // Each customer's new number points at their conversation.
  expect(
    await db
      .collection("conversations")
      .find({ mergedInto: { $exists: true } })
      .sort({ _id: 1 })
      .toArray(),
  ).toEqual(
    [0, 1, 2, 3, 4].map((customer) => ({
      _id: `${PHONE_NUMBER_ID}:1650555999${customer}`,
      mergedInto: `${PHONE_NUMBER_ID}:1650555000${customer}`,
      revision: 1,
    })),
  );
  expect(await db.collection<InboundMessageDocument>("inbound_messages").countDocuments()).toBe(
    events.length,
  );
  const last = types.length - 1;
  expect(conversations[0]).toMatchObject({
    _id: `${PHONE_NUMBER_ID}:16505550000`,
    phoneNumberId: PHONE_NUMBER_ID,
    // The last message is the customer's number change: their latest phone number is the new one.
    waId: "16505559990",
    profileName: "Customer 0",
    messageCount: types.length,
    firstMessageAt: new Date(1750000000_000),
    lastMessageAt: new Date((1750000000 + last * 60) * 1000),
    lastMessageId: `wamid.c0-${last}`,
    lastMessageType: inboundMessageBodies[types[last]!]!.type,
    serviceWindowExpiresAt: new Date((1750000000 + last * 60) * 1000 + 86_400_000),
  });
  const reaction = await db
    .collection<InboundMessageDocument>("inbound_messages")
    .findOne({ _id: `wamid.c0-${types.indexOf("reaction")}` });
  expect(reaction).toMatchObject({
    type: "reaction",
    reaction: { message_id: expect.stringMatching(/^wamid\./), emoji: "\u{1F44D}" },
  });
  await producer.disconnect();
});
