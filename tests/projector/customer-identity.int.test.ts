import { MongoClient, type Document } from "mongodb";
import type { InboundMessageEvent } from "../../contracts/generated/types";
import { ReadModelWriter } from "../../projector/framework/read-model-writer";
import { MongoStore } from "../../projector/mongo/mongo-store";
import { chooseStoreProfile } from "../../projector/mongo/store-profile";
import type { CustomerMessage } from "../../projector/projections/conversation/customer-links";
import { conversationProjection } from "../../projector/projections/conversation/projection";
import {
  bothIdentifiersTextMessage,
  bsuidOnlyTextMessage,
  CUSTOMER_BSUID,
  CUSTOMER_NEW_BSUID,
  CUSTOMER_NEW_WA_ID,
  CUSTOMER_USERNAME,
  editMessage,
  phoneOnlyTextMessage,
  revokeMessage,
  userChangedNumber,
} from "../fixtures/identity-webhooks";
import { inboundEvent, inboundEventsOf } from "../fixtures/inbound-events";
import { CUSTOMER_WA_ID, PHONE_NUMBER_ID } from "../fixtures/meta-webhooks";

// One customer who moves from phone number to username and then changes number: the conversation
// projection's read models against the real MongoDB-wire server, in several orders and batch shapes,
// must end in the same documents.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const database = mongo.db(`whatsapp_test_${run}_customer_identity`);

afterAll(async () => {
  await database.dropDatabase();
  await mongo.close();
});

const eventsOf = inboundEventsOf;

const history: InboundMessageEvent[] = [
  // Before BSUIDs: phone number only.
  ...eventsOf(phoneOnlyTextMessage({ id: "wamid.A", timestamp: 100, body: "first, by phone" })),
  // A username user: BSUID only, then an edit of that message.
  ...eventsOf(bsuidOnlyTextMessage({ id: "wamid.B", timestamp: 200, body: "typo hre" })),
  ...eventsOf(
    editMessage({
      id: "wamid.B-edit",
      timestamp: 210,
      originalMessageId: "wamid.B",
      body: "typo here",
      from: null,
    }),
  ),
  // Both identifiers: the link between the two.
  ...eventsOf(bothIdentifiersTextMessage({ id: "wamid.C", timestamp: 300, body: "both ids" })),
  // The first message withdrawn.
  ...eventsOf(revokeMessage({ id: "wamid.A-revoke", timestamp: 400, originalMessageId: "wamid.A" })),
  // A new phone number (and with it a new BSUID), then a message under the new ids only.
  ...eventsOf(userChangedNumber({ id: "wamid.S", timestamp: 500 })),
  ...eventsOf(
    bothIdentifiersTextMessage({
      id: "wamid.D",
      timestamp: 600,
      waId: CUSTOMER_NEW_WA_ID,
      userId: CUSTOMER_NEW_BSUID,
      body: "from my new number",
    }),
  ),
];

const customerIds = [CUSTOMER_WA_ID, CUSTOMER_BSUID, CUSTOMER_NEW_WA_ID, CUSTOMER_NEW_BSUID].map(
  (id) => `${PHONE_NUMBER_ID}:${id}`,
);
const survivor = `${PHONE_NUMBER_ID}:${[CUSTOMER_WA_ID, CUSTOMER_NEW_WA_ID].sort()[0]}`;

const withoutRevision = (documents: Document[]) => documents.map(({ revision: _revision, ...rest }) => rest);

/** Read models of their own for a scenario: apply batches, read a collection without revisions. */
async function readModelsFor(scenario: string) {
  const names = (collection: string) => `${scenario}_${collection}`;
  const readModels = new ReadModelWriter(
    conversationProjection,
    new MongoStore(database, await chooseStoreProfile(database, "auto")),
    { rememberedDocuments: 10_000 },
  );
  readModels.writeInto(names);
  await readModels.ensureCollections();
  const collection = (name: string) => database.collection<Document & { _id: string }>(names(name));
  const apply = (events: InboundMessageEvent[]) =>
    readModels.apply(
      events.map((event) => conversationProjection.validate(event, "inboundMessage") as CustomerMessage),
    );
  const all = async (name = "conversations") =>
    withoutRevision(await collection(name).find({}).sort({ _id: 1 }).toArray());
  return { apply, conversations: collection("conversations"), all };
}

/** Applies the batches to read models of their own and returns every collection's documents. */
async function project(scenario: string, batches: InboundMessageEvent[][]) {
  const readModels = await readModelsFor(scenario);
  for (const batch of batches) await readModels.apply(batch);
  return { conversations: await readModels.all(), messages: await readModels.all("inbound_messages") };
}

const oneByOne = (events: InboundMessageEvent[]) => events.map((event) => [event]);

it("keeps one conversation with every message, whatever ids each message carries", async () => {
  const { conversations, messages } = await project("in_order", oneByOne(history));

  const live = conversations.filter((c) => !("mergedInto" in c));
  expect(live).toHaveLength(1);
  expect(live[0]).toMatchObject({
    _id: survivor,
    waId: CUSTOMER_NEW_WA_ID,
    userId: CUSTOMER_NEW_BSUID,
    username: CUSTOMER_USERNAME,
    // A, B, C, the system notice and D; the edit and the revoke are no messages.
    messageCount: 5,
    lastMessageId: "wamid.D",
    lastMessagePreview: "from my new number",
    firstMessageAt: new Date(100_000),
    linkedIds: [...customerIds].sort(),
  });
  // Every other id holds a pointer to the survivor, and nothing else: one read by any id finds it.
  expect(conversations.filter((c) => "mergedInto" in c)).toEqual(
    [...customerIds]
      .filter((id) => id !== survivor)
      .sort()
      .map((id) => ({ _id: id, mergedInto: survivor })),
  );

  expect(messages.map((m) => [m._id, m.conversationId])).toEqual(
    ["wamid.A", "wamid.B", "wamid.C", "wamid.D", "wamid.S"].map((id) => [id, survivor]),
  );
  const byId = new Map(messages.map((m) => [m._id, m]));
  expect(byId.get("wamid.B")).toMatchObject({
    text: { body: "typo here" },
    editedAt: new Date(210_000),
    edits: [{ id: "wamid.B-edit", at: new Date(210_000), content: { text: { body: "typo here" } } }],
    fromUserId: CUSTOMER_BSUID,
    fromWaId: null,
  });
  expect(byId.get("wamid.A")).toMatchObject({ revokedAt: new Date(400_000), type: "text" });
  expect(byId.get("wamid.A")).not.toHaveProperty("text");
}, 60_000);

it("ends in the same documents in reverse order, in one batch, in pairs, and when replayed", async () => {
  const expected = await project("reference", oneByOne(history));
  const reversed = await project("reversed", oneByOne([...history].reverse()));
  const oneBatch = await project("one_batch", [history]);
  const shuffled = [3, 6, 0, 5, 1, 4, 2].map((i) => history[i]!);
  const pairs = await project("pairs", [shuffled.slice(0, 2), shuffled.slice(2, 4), shuffled.slice(4)]);
  const replayed = await project("replayed", [...oneByOne(history), history, ...oneByOne(history)]);

  // Every id ends pointing at the survivor, whichever ids met first.
  for (const result of [reversed, oneBatch, pairs, replayed]) expect(result).toEqual(expected);
}, 120_000);

describe("a number change that merges a conversation with a BSUID into another", () => {
  const [oldNumber, newNumber, bsuid] = ["16505550002", "16505550001", "US.13491208655302741918"];
  const text = (body: string) => ({ type: "text", text: { body } });
  const withBsuid = {
    ...inboundEvent("wamid.r1", 100, text("old number"), { waId: oldNumber }),
    fromUserId: bsuid,
  };
  const newNumberMessage = inboundEvent("wamid.r2", 200, text("new number"), { waId: newNumber });
  const numberChange = inboundEvent(
    "wamid.r3",
    300,
    { type: "system", system: { body: "changed", wa_id: newNumber, type: "user_changed_number" } },
    { waId: oldNumber },
  );
  const oldId = `${PHONE_NUMBER_ID}:${oldNumber}`;
  const bsuidId = `${PHONE_NUMBER_ID}:${bsuid}`;
  const survivorId = `${PHONE_NUMBER_ID}:${newNumber}`;

  it("points every id at the survivor, even one whose pointer was lost", async () => {
    const intact = await project("pointers_intact", [[withBsuid], [newNumberMessage], [numberChange]]);
    expect(intact.conversations.filter((c) => "mergedInto" in c)).toEqual([
      { _id: oldId, mergedInto: survivorId },
      { _id: bsuidId, mergedInto: survivorId },
    ]);

    // The BSUID's pointer lost after the first batch.
    const lost = await readModelsFor("pointer_lost");
    await lost.apply([withBsuid]);
    expect(await lost.conversations.deleteOne({ _id: bsuidId })).toMatchObject({ deletedCount: 1 });
    await lost.apply([newNumberMessage]);
    await lost.apply([numberChange]);
    expect(await lost.all()).toEqual(intact.conversations);
  }, 60_000);

  it("merges a conversation found under an id of the one merged away", async () => {
    // The BSUID's pointer lost, then a message by BSUID only: a conversation of its own.
    const bsuidOnly = {
      ...inboundEvent("wamid.r4", 150, text("by username"), { waId: oldNumber }),
      from: bsuid,
      fromWaId: null,
      fromUserId: bsuid,
    };
    const split = await readModelsFor("split_bsuid");
    await split.apply([withBsuid]);
    await split.conversations.deleteOne({ _id: bsuidId });
    await split.apply([bsuidOnly]);
    await split.apply([newNumberMessage]);
    await split.apply([numberChange]);
    const conversations = await split.all();
    expect(conversations.filter((c) => !("mergedInto" in c))).toEqual([
      expect.objectContaining({
        _id: survivorId,
        messageCount: 4,
        linkedIds: [bsuidId, oldId, survivorId].sort(),
      }),
    ]);
    expect(conversations.filter((c) => "mergedInto" in c)).toEqual([
      { _id: oldId, mergedInto: survivorId },
      { _id: bsuidId, mergedInto: survivorId },
    ]);
  }, 60_000);

  it("ends in the same documents when the merge stops before the merged conversation became a pointer", async () => {
    const intact = await readModelsFor("merge_intact");
    for (const batch of [[withBsuid], [newNumberMessage], [numberChange]]) await intact.apply(batch);

    const crashed = await readModelsFor("merge_crashed");
    await crashed.apply([withBsuid]);
    await crashed.apply([newNumberMessage]);
    const beforeMerge = await crashed.conversations.findOne({ _id: oldId });
    await crashed.apply([numberChange]);
    // As a crash after the survivor's write would have left it: the old number's conversation live.
    await crashed.conversations.replaceOne({ _id: oldId }, beforeMerge!);
    await crashed.apply([numberChange]);
    expect(await crashed.all()).toEqual(await intact.all());
  }, 60_000);
});
