import type { InboundMessageEvent } from "../../../contracts/generated/types";
import {
  CUSTOMER_BSUID,
  CUSTOMER_NEW_BSUID,
  CUSTOMER_NEW_WA_ID,
  CUSTOMER_USERNAME,
} from "../../../tests/fixtures/identity-webhooks";
import { CUSTOMER_WA_ID } from "../../../tests/fixtures/meta-webhooks";
import { customerEvents, id, messagesAndChanges, T } from "../../../tests/fixtures/customer-scenarios";
import { expectProjectionLaws, projected } from "../../../tests/support/projection-laws";
import type { ConversationEvent } from "./conversation-event";
import type { CustomerMessage } from "./customer-links";
import { conversationProjection } from "./projection";

const asEvents = (messages: readonly InboundMessageEvent[]): CustomerMessage[] =>
  messages.map((message) => conversationProjection.validate(message, "inboundMessage") as CustomerMessage);
const label = (event: ConversationEvent) =>
  ("message" in event
    ? event.message.wamid
    : "businessAppMessage" in event
      ? event.businessAppMessage.wamid
      : event.preference.eventId
  ).slice(-12);

describe("the conversation projection, run by the framework over the in-memory store", () => {
  it("passes the projection laws over one customer's phone number, BSUIDs and number change", async () => {
    await expectProjectionLaws<ConversationEvent>(conversationProjection, asEvents(customerEvents), {
      label,
    });
  });

  it("passes the projection laws over messages, edits and revokes, some arriving before their message", async () => {
    await expectProjectionLaws<ConversationEvent>(
      conversationProjection,
      asEvents(Object.values(messagesAndChanges)),
      {
        label,
        sampledOrders: 200,
      },
    );
  });

  it("passes the projection laws over both together", async () => {
    await expectProjectionLaws<ConversationEvent>(
      conversationProjection,
      asEvents([...customerEvents, ...Object.values(messagesAndChanges)]),
      { label, sampledOrders: 60, seed: 23 },
    );
  });

  it("ends in one conversation under the smallest phone-number id, every other id pointing at it", async () => {
    const { conversations, inbound_messages } = await projected(conversationProjection, [
      asEvents(customerEvents),
    ]);
    const allIds = [CUSTOMER_WA_ID, CUSTOMER_NEW_WA_ID, CUSTOMER_BSUID, CUSTOMER_NEW_BSUID].map(id).sort();
    const survivor = id(CUSTOMER_WA_ID);
    expect(Object.keys(conversations!).sort()).toEqual(allIds);
    for (const other of allIds.filter((customerId) => customerId !== survivor))
      expect(conversations![other]).toEqual({ _id: other, mergedInto: survivor });
    expect(conversations![survivor]).toMatchObject({
      linkedIds: allIds,
      messageCount: customerEvents.length,
    });
    for (const message of Object.values(inbound_messages!)) expect(message.conversationId).toBe(survivor);
  });

  it("merges a BSUID-only conversation into the phone number's once a message names both", async () => {
    const [phone, bsuid, both] = asEvents(customerEvents);
    const before = await projected(conversationProjection, [[bsuid!], [phone!]]);
    expect(Object.keys(before.conversations!).sort()).toEqual(
      [id(CUSTOMER_WA_ID), id(CUSTOMER_BSUID)].sort(),
    );
    expect(before.inbound_messages![bsuid!.message.wamid]!.conversationId).toBe(id(CUSTOMER_BSUID));

    const after = await projected(conversationProjection, [[bsuid!], [phone!], [both!]]);
    expect(after.conversations![id(CUSTOMER_BSUID)]).toEqual({
      _id: id(CUSTOMER_BSUID),
      mergedInto: id(CUSTOMER_WA_ID),
    });
    expect(after.conversations![id(CUSTOMER_WA_ID)]).toMatchObject({
      waId: CUSTOMER_WA_ID,
      userId: CUSTOMER_BSUID,
      username: CUSTOMER_USERNAME,
      messageCount: 3,
      firstMessageAt: new Date((T + 10) * 1000),
      lastMessageAt: new Date((T + 30) * 1000),
      linkedIds: [id(CUSTOMER_WA_ID), id(CUSTOMER_BSUID)].sort(),
    });
    // The message filed under the BSUID's conversation moved with it.
    expect(after.inbound_messages![bsuid!.message.wamid]!.conversationId).toBe(id(CUSTOMER_WA_ID));
  });
});
