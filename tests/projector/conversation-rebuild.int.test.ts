import { MongoClient, type Document } from "mongodb";
import type { InboundMessageEvent } from "../../contracts/generated/types";
import { topicName } from "../../contracts/topics";
import type { Projection } from "../../projector/framework/projection";
import { consumerGroupOf } from "../../projector/framework/projector-settings";
import { rebuildProjection } from "../../projector/framework/rebuild";
import { conversationProjection } from "../../projector/projections/conversation/projection";
import { createLogger } from "../../runtime/logger";
import { customerEvents, eventFrom, id, messagesAndChanges, T } from "../fixtures/customer-scenarios";
import {
  bsuidOnlyTextMessage,
  CUSTOMER_BSUID,
  CUSTOMER_NEW_BSUID,
  CUSTOMER_NEW_WA_ID,
} from "../fixtures/identity-webhooks";
import { CUSTOMER_WA_ID, wamid } from "../fixtures/meta-webhooks";
import { eventually, EventProducer } from "../support/event-producer";
import { TestProjectors, testProjectorSettings } from "../support/projectors";
import { documentedIndexes, indexesOf } from "../support/read-model-indexes";
import { stackKafka } from "../support/stack-clients";

// docs/read-models.md, rebuild: `npm run rebuild -- conversation` replays whatsapp.message.inbound.v1
// into new collections and swaps them in, beside the live projector. Here a customer who wrote by phone
// number and by BSUID, in two conversations the live projector then merged, and who changed number: the
// rebuilt inbound_messages and conversations (pointers included) must equal the live ones, be the ones
// in place after the swap, and the live projector must go on applying into them.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const prefix = `${process.env.TOPIC_PREFIX}conversation-rebuild.`;
const database = `whatsapp_test_${run}_conversation_rebuild`;
const settings = testProjectorSettings(prefix, database);
const projectors = new TestProjectors();
const kafka = stackKafka("test-conversation-rebuild");
const admin = kafka.admin();
const producer = new EventProducer(prefix);

afterAll(async () => {
  await projectors.stopAll();
  await producer.disconnect();
  await admin.disconnect();
  await mongo.close();
});

/** Keyed as the ingress keys an inbound message (docs/topics.md): BSUID first, else the sender. */
const send = (events: InboundMessageEvent[]) =>
  producer.send(
    "inboundMessage",
    events.map((e) => ({ key: `${e.phoneNumberId}:${e.fromUserId ?? e.from}`, value: e })),
  );

/** True once the live projector's group has committed every partition up to its high watermark. */
async function liveCaughtUp(): Promise<boolean> {
  const topic = topicName("inboundMessage", prefix);
  const [high, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: consumerGroupOf(conversationProjection, settings), topics: [topic] }),
  ]);
  // A partition nothing was written to has no committed offset (-1).
  const committedOf = (partition: number) =>
    BigInt(committed!.partitions.find((p) => p.partition === partition)?.offset ?? "-1");
  return high.every(({ partition, high: end }) => end === "0" || committedOf(partition) >= BigInt(end));
}

const db = () => mongo.db(database);
const withoutRevision = ({ revision: _revision, ...rest }: Document) => rest;
const readModels = async () => ({
  inbound_messages: await db().collection("inbound_messages").find({}).sort({ _id: 1 }).toArray(),
  conversations: await db().collection("conversations").find({}).sort({ _id: 1 }).toArray(),
});
const withoutRevisions = (models: Awaited<ReturnType<typeof readModels>>) => ({
  inbound_messages: models.inbound_messages.map(withoutRevision),
  conversations: models.conversations.map(withoutRevision),
});

const survivor = id(CUSTOMER_WA_ID);
const everyCustomerId = [CUSTOMER_WA_ID, CUSTOMER_BSUID, CUSTOMER_NEW_WA_ID, CUSTOMER_NEW_BSUID]
  .map(id)
  .sort();

it("rebuilds inbound_messages and conversations, merged customer included, equal to the live ones, and swaps them in", async () => {
  await admin.connect();
  await producer.connect(["inboundMessage"]);
  const [byPhone, byBsuid, ...rest] = customerEvents;
  const history = [...customerEvents, ...Object.values(messagesAndChanges)];
  await projectors.start(conversationProjection as Projection<never>, prefix, database);

  // Two conversations first, one per id, so that the live projector merges them when a message links both.
  await send([byPhone!, byBsuid!]);
  await eventually(
    () =>
      db()
        .collection("conversations")
        .countDocuments({ mergedInto: { $exists: false } }),
    (live) => live === 2,
  );
  await send([...rest, ...Object.values(messagesAndChanges)]);
  await eventually(liveCaughtUp, (caughtUp) => caughtUp, 60_000);

  const live = await readModels();
  const conversations = live.conversations.filter((c) => !("mergedInto" in c));
  expect(conversations.map((c) => [c._id, c.linkedIds])).toEqual([[survivor, everyCustomerId]]);
  expect(live.conversations.filter((c) => "mergedInto" in c)).toEqual(
    everyCustomerId
      .filter((customerId) => customerId !== survivor)
      .map((customerId) => ({ _id: customerId, mergedInto: survivor, revision: expect.any(Number) })),
  );
  const messages = new Set(
    history.map((e) => e.edit?.originalMessageId ?? e.revoke?.originalMessageId ?? e.wamid),
  );
  expect(live.inbound_messages.map((m) => m._id).sort()).toEqual([...messages].sort());

  const lines: string[] = [];
  await rebuildProjection(conversationProjection, settings, createLogger("test", "silent"), (line) =>
    lines.push(line),
  );

  // Replayed into a new collection set, then swapped in.
  expect(lines[0]).toMatch(
    /^replaying \S+whatsapp\.message\.inbound\.v1, \S+whatsapp\.message\.business-app\.v1, \S+whatsapp\.user\.preference\.v1 into inbound_messages_rebuild_(\w+), business_app_messages_rebuild_\1, conversations_rebuild_\1: /,
  );
  expect(lines.at(-1)).toMatch(
    /^done in .* inbound_messages, business_app_messages, conversations rebuilt from /,
  );
  const rebuilt = await readModels();
  expect(withoutRevisions(rebuilt)).toEqual(withoutRevisions(live));
  // Every document in place is a rebuilt one: rebuilt revisions start far above any live one.
  for (const document of [...rebuilt.inbound_messages, ...rebuilt.conversations])
    expect({ _id: document._id, rebuilt: document.revision > 1e12 }).toEqual({
      _id: document._id,
      rebuilt: true,
    });
  const collections = await db().listCollections({}, { nameOnly: true }).toArray();
  expect(collections.map((c) => c.name).sort()).toEqual([
    "business_app_messages",
    "conversations",
    "inbound_messages",
  ]);
  // The swapped-in collections carry the documented indexes (on FerretDB: dropped, then renamed in).
  expect({
    inbound_messages: await indexesOf(db(), "inbound_messages"),
    conversations: await indexesOf(db(), "conversations"),
  }).toEqual({
    inbound_messages: documentedIndexes.inbound_messages,
    conversations: documentedIndexes.conversations,
  });

  // The live projector goes on, into the swapped-in collections: a message by the new BSUID alone joins
  // the merged conversation.
  const later = eventFrom(
    bsuidOnlyTextMessage({ id: wamid("after-rebuild"), timestamp: T + 1000, userId: CUSTOMER_NEW_BSUID }),
  );
  await send([later]);
  const before = conversations[0]!;
  const after = await eventually(
    () =>
      db()
        .collection("conversations")
        .findOne({ _id: survivor as never }),
    (c) => c?.lastMessageId === later.wamid,
  );
  expect(after).toMatchObject({ messageCount: before.messageCount + 1, linkedIds: everyCustomerId });
  expect(
    await db()
      .collection("inbound_messages")
      .findOne({ _id: later.wamid as never }),
  ).toMatchObject({
    conversationId: survivor,
  });
}, 180_000);
