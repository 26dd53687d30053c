import { MongoClient } from "mongodb";
import type { GroupEvent, InboundMessageEvent, MessageStatusEvent } from "../../contracts/generated/types";
import { readProjectorProcess } from "../../projector/framework/projector-settings";
import { projections } from "../../projector/projections";
import type { ConversationDocument } from "../../projector/projections/conversation/conversation-document";
import type { GroupDocument } from "../../projector/projections/groups/group-document";
import type { GroupMessageDocument } from "../../projector/projections/groups/group-message";
import type { MessageStatusDocument } from "../../projector/projections/status/status-timeline";
import {
  ALICE,
  BOB,
  CAROL,
  GROUP_ID,
  GROUP_T as T,
  groupCreated,
  groupMessage,
  groupStatus,
  participantRemoved,
  participantStatus,
  participantsAdded,
} from "../fixtures/group-events";
import { inboundEvent } from "../fixtures/inbound-events";
import { inboundMessageBodies, PHONE_NUMBER_ID, wamid } from "../fixtures/meta-webhooks";
import { eventually, EventProducer } from "../support/event-producer";
import { TestProjectors } from "../support/projectors";

// Groups on the real stack: Avro records on the group, inbound and status topics, and one projector
// process running the projections PROJECTIONS=conversation,groups,status names, as a deployment would.
const run = process.env.TEST_RUN_ID!;
const prefix = `${process.env.TOPIC_PREFIX}groups.`;
const database = `whatsapp_test_${run}_groups`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const projectors = new TestProjectors();
const at = (seconds: number) => new Date(seconds * 1000);

afterAll(async () => {
  await projectors.stopAll();
  await mongo.close();
});

it("keeps group messages apart from the 1:1 conversation, and a group's participants and per-participant statuses", async () => {
  const producer = new EventProducer(prefix);
  await producer.connect(["groupEvent", "inboundMessage", "messageStatus"]);

  // Later changes first, one of them twice: Meta's time decides, not arrival.
  const groupEvents: GroupEvent[] = [
    participantsAdded(T + 40, ALICE),
    participantRemoved(T + 20, ALICE),
    participantsAdded(T + 10, ALICE, BOB, CAROL),
    groupCreated(T),
    participantRemoved(T + 20, ALICE),
  ];
  const firstInGroup = wamid("int-group-1");
  const secondInGroup = wamid("int-group-2");
  const oneToOne = wamid("int-one-to-one");
  // Alice writes in the group before and after her 1:1 message; the last record of her key is the 1:1 one.
  const messages: InboundMessageEvent[] = [
    groupMessage(firstInGroup, T + 50, ALICE),
    groupMessage(secondInGroup, T + 70, ALICE),
    inboundEvent(oneToOne, T + 60, inboundMessageBodies.text!, { waId: ALICE.waId }),
  ];
  // A message the business sent to the group: each participant's statuses, three in one second.
  const sentToGroup = wamid("int-business-to-group");
  const statuses: MessageStatusEvent[] = [
    groupStatus(sentToGroup, "read", T + 65, BOB),
    groupStatus(sentToGroup, "delivered", T + 61, ALICE),
    groupStatus(sentToGroup, "delivered", T + 61, BOB),
    groupStatus(sentToGroup, "delivered", T + 61, CAROL),
    groupStatus(sentToGroup, "delivered", T + 61, BOB),
    groupStatus(sentToGroup, "sent", T + 60, ALICE),
  ];
  await producer.send(
    "groupEvent",
    groupEvents.map((event) => ({ key: event.groupId, value: event })),
  );
  await producer.send(
    "inboundMessage",
    messages.map((event) => ({ key: `${event.phoneNumberId}:${event.from}`, value: event })),
  );
  await producer.send(
    "messageStatus",
    statuses.map((event) => ({ key: event.wamid, value: event })),
  );
  await producer.disconnect();

  const selected = readProjectorProcess(projections, {
    ...process.env,
    PROJECTIONS: "conversation,groups,status",
  }).projections;
  expect(selected.map((projection) => projection.name)).toEqual(["conversation", "groups", "status"]);
  await projectors.start(selected, prefix, database);

  const db = mongo.db(database);
  // Alice's 1:1 message is the last record of her key: once it is stored, the conversation projection
  // has read every group message before it.
  const inboundMessages = await eventually(
    () =>
      db
        .collection("inbound_messages")
        .find({}, { projection: { _id: 1 } })
        .toArray(),
    (documents) => documents.some((document) => document._id.toString() === oneToOne),
    60_000,
  );
  const conversation = await eventually(
    () =>
      db
        .collection<ConversationDocument>("conversations")
        .findOne({ _id: `${PHONE_NUMBER_ID}:${ALICE.waId}` }),
    (document) => document !== null,
  );
  const group = await eventually(
    () => db.collection<GroupDocument>("groups").findOne({ _id: GROUP_ID }),
    // Events and messages come from different partitions, applied side by side: wait for both.
    (document) =>
      document?.messageCount === 2 &&
      document.lastMessageAt?.getTime() === (T + 70) * 1000 &&
      document.history.length === 4,
    60_000,
  );
  const status = await eventually(
    () => db.collection<MessageStatusDocument>("message_statuses").findOne({ _id: sentToGroup }),
    (document) => document?.timeline.length === 5,
    60_000,
  );

  // Group messages are neither stored as 1:1 messages nor counted in or moving the sender's conversation.
  expect(inboundMessages).toEqual([{ _id: oneToOne }]);
  expect(conversation).toMatchObject({ messageCount: 1, lastMessageAt: at(T + 60), lastMessageId: oneToOne });

  const groupMessages = await db
    .collection<GroupMessageDocument>("group_messages")
    .find({ groupId: GROUP_ID })
    .sort({ timestamp: -1 })
    .toArray();
  expect(groupMessages.map((message) => message._id)).toEqual([secondInGroup, firstInGroup]);
  expect(groupMessages[0]).toMatchObject({
    groupId: GROUP_ID,
    from: ALICE.waId,
    fromWaId: ALICE.waId,
    type: "text",
    text: { body: "Is the monstera back in stock?" },
  });
  expect(groupMessages[0]).not.toHaveProperty("conversationId");

  expect(group).toMatchObject({
    phoneNumberId: PHONE_NUMBER_ID,
    subject: "Lucky Shrub VIPs",
    state: "active",
    messageCount: 2,
    lastMessageAt: at(T + 70),
  });
  // Alice was removed at T+20 and added again at T+40, whatever the order these arrived in.
  expect(group!.participants).toEqual([
    { waId: BOB.waId, userId: BOB.userId, username: null, since: at(T + 10) },
    { waId: CAROL.waId, userId: CAROL.userId, username: "carol", since: at(T + 10) },
    { waId: ALICE.waId, userId: ALICE.userId, username: "alice", since: at(T + 40) },
  ]);
  expect(group!.history.map((entry) => entry.type)).toEqual([
    "group_create",
    "group_participants_add",
    "group_participants_remove",
    "group_participants_add",
  ]);
  expect(await db.collection("groups").countDocuments({ phoneNumberId: PHONE_NUMBER_ID })).toBe(1);

  // Who has read it: one read of the message's document.
  expect(status).toMatchObject({
    recipientType: "group",
    groupId: GROUP_ID,
    status: "read",
    readAt: at(T + 65),
  });
  expect(status!.participants).toEqual([
    participantStatus(ALICE, "delivered", { sentAt: at(T + 60), deliveredAt: at(T + 61) }),
    participantStatus(BOB, "read", { deliveredAt: at(T + 61), readAt: at(T + 65) }),
    participantStatus(CAROL, "delivered", { deliveredAt: at(T + 61) }),
  ]);
});
