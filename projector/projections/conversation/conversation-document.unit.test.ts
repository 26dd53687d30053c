import {
  bothIdentifiersTextMessage,
  bsuidOnlyTextMessage,
  CUSTOMER_BSUID,
  CUSTOMER_NEW_BSUID,
  CUSTOMER_NEW_PARENT_BSUID,
  CUSTOMER_NEW_WA_ID,
  CUSTOMER_PARENT_BSUID,
  CUSTOMER_PROFILE_NAME,
  CUSTOMER_USERNAME,
  editMessage,
  phoneOnlyTextMessage,
  revokeMessage,
  userChangedNumber,
} from "../../../tests/fixtures/identity-webhooks";
import { inboundEvent } from "../../../tests/fixtures/inbound-events";
import {
  CUSTOMER_WA_ID,
  inboundMessageBodies,
  PHONE_NUMBER_ID,
  wamid,
} from "../../../tests/fixtures/meta-webhooks";
import {
  evolveConversation,
  mergeConversations,
  serviceWindowMs,
  withdrawnPreview,
  type ConversationDocument,
} from "./conversation-document";
import {
  content,
  customerEvents,
  eventFrom,
  fold,
  id,
  messagesAndChanges,
  permutations,
  seeded,
  splits,
  T,
} from "../../../tests/fixtures/customer-scenarios";
import { conversationProjectionVersion } from "./projection-version";

const body = (name: string) => inboundMessageBodies[name]!;

/** The laws the projection relies on to join two conversations of one customer, over `folds`. */
function itMergesLawfully(folds: readonly ConversationDocument[]): void {
  it("is commutative up to the id, and keeps its first argument's id", () => {
    for (const a of folds)
      for (const b of folds) {
        const ab = mergeConversations(a, b);
        expect(ab._id).toBe(a._id);
        expect(content(ab)).toEqual(content(mergeConversations(b, a)));
      }
  });

  it("is associative", () => {
    const sample = folds.filter((_, i) => i % 3 === 0);
    for (const a of sample)
      for (const b of sample)
        for (const c of sample)
          expect(mergeConversations(mergeConversations(a, b), c)).toEqual(
            mergeConversations(a, mergeConversations(b, c)),
          );
  });

  it("is idempotent", () => {
    for (const a of folds) {
      expect(mergeConversations(a, a)).toEqual(a);
      const b = folds[folds.length - 1 - folds.indexOf(a)]!;
      const ab = mergeConversations(a, b);
      expect(mergeConversations(ab, b)).toEqual(ab);
      expect(mergeConversations(ab, a)).toEqual(ab);
    }
  });
}

describe("evolveConversation", () => {
  const events = [
    inboundEvent("wamid.1", 1000, body("text"), { profileName: "Old Name" }),
    inboundEvent("wamid.2", 2000, body("image"), { profileName: "Old Name" }),
    inboundEvent("wamid.3", 3000, body("reaction"), { profileName: "New Name" }),
    inboundEvent("wamid.4", 2500, body("unsupported"), { profileName: "Old Name" }),
  ];

  it("gives the same document whatever the order and batching of the messages", () => {
    const expected = fold(events);
    const orders = [[...events].reverse(), [events[2]!, events[0]!, events[3]!, events[1]!]];
    for (const order of orders) {
      expect(fold(order)).toEqual(expected);
      expect(fold(order.slice(2), fold(order.slice(0, 2)))).toEqual(expected);
    }
    expect(expected).toMatchObject({
      _id: `${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`,
      phoneNumberId: PHONE_NUMBER_ID,
      waId: CUSTOMER_WA_ID,
      profileName: "New Name",
      firstMessageAt: new Date(1000_000),
      lastMessageAt: new Date(3000_000),
      lastMessageId: "wamid.3",
      lastMessageType: "reaction",
      lastMessagePreview: "Reacted \u{1F44D}",
    });
  });

  it("opens the 24 h customer-service window from the latest inbound message", () => {
    const doc = fold(events);
    expect(doc.serviceWindowExpiresAt).toEqual(new Date(3000_000 + serviceWindowMs));
    expect(serviceWindowMs).toBe(86_400_000);
    const older = evolveConversation(doc, inboundEvent("wamid.0", 500, body("text")));
    expect(older.serviceWindowExpiresAt).toEqual(doc.serviceWindowExpiresAt);
    expect(older.firstMessageAt).toEqual(new Date(500_000));
  });

  it("collapses duplicates: replaying messages returns the document itself", () => {
    const once = fold(events);
    expect(fold([...events, ...events], once)).toBe(once);
  });

  it("leaves the message count to the framework's exact count", () => {
    expect(fold(events).messageCount).toBe(0);
  });
});

describe("evolveConversation and mergeConversations over one customer's ids", () => {
  const expected = fold(customerEvents);

  it("shows what the customer's messages say, latest sighting first", () => {
    expect(expected).toMatchObject({
      phoneNumberId: PHONE_NUMBER_ID,
      waId: CUSTOMER_NEW_WA_ID,
      userId: CUSTOMER_NEW_BSUID,
      parentUserId: CUSTOMER_NEW_PARENT_BSUID,
      username: CUSTOMER_USERNAME,
      profileName: "Pablo Morales",
      firstMessageAt: new Date((T + 10) * 1000),
      lastMessageAt: new Date((T + 50) * 1000),
      lastMessageId: wamid("changed"),
      lastMessageType: "system",
      lastMessagePreview: "[system]",
      serviceWindowExpiresAt: new Date((T + 50) * 1000 + serviceWindowMs),
    });
  });

  it("gives the same document for every order of arrival", () => {
    for (const order of permutations(customerEvents)) expect(content(fold(order))).toEqual(content(expected));
  });

  it("gives the same document for every split in two folds joined, in either order", () => {
    const random = seeded(7);
    const orders = Array.from({ length: 30 }, () => [...customerEvents].sort(() => random() - 0.5));
    for (const order of [customerEvents, ...orders])
      for (const [first, second] of splits(order)) {
        expect(content(mergeConversations(fold(first), fold(second)))).toEqual(content(expected));
        expect(content(mergeConversations(fold(second), fold(first)))).toEqual(content(expected));
      }
  });

  describe("mergeConversations", () => {
    itMergesLawfully(splits(customerEvents).map(([group]) => fold(group)));
  });
});

describe("mergeConversations over conversations that may hold only changes", () => {
  const all = splits(Object.values(messagesAndChanges)).map(([group]) => fold(group));
  const changesOnly = all.filter((document) => document.lastMessageId === null);
  const withMessages = all.filter((document) => document.lastMessageId !== null);

  it("holds only changes where both did", () => {
    expect(changesOnly.length).toBeGreaterThan(1);
    for (const a of changesOnly)
      for (const b of changesOnly) expect(mergeConversations(a, b).lastMessageId).toBeNull();
  });

  itMergesLawfully([
    ...changesOnly.filter((_, i) => i % 3 === 0),
    ...withMessages.filter((_, i) => i % 6 === 0),
  ]);
});

describe("the customer's identity, as the conversation shows it", () => {
  it("is the latest sighting of each field by message time, whatever the order of arrival", () => {
    const older = eventFrom(
      bsuidOnlyTextMessage({
        id: wamid("older"),
        timestamp: T + 100,
        username: "old_username",
        parentUserId: CUSTOMER_PARENT_BSUID,
        profileName: "Old Name",
      }),
    );
    const newer = eventFrom(
      bothIdentifiersTextMessage({
        id: wamid("newer"),
        timestamp: T + 200,
        username: "new_username",
        parentUserId: CUSTOMER_NEW_PARENT_BSUID,
        profileName: "New Name",
      }),
    );
    const latest = eventFrom(
      phoneOnlyTextMessage({ id: wamid("latest"), timestamp: T + 300, profileName: "Latest" }),
    );
    for (const order of permutations([older, newer, latest]))
      expect(fold(order)).toMatchObject({
        waId: CUSTOMER_WA_ID,
        userId: CUSTOMER_BSUID,
        parentUserId: CUSTOMER_NEW_PARENT_BSUID,
        username: "new_username",
        profileName: "Latest",
        identitySeenAt: {
          waId: new Date((T + 300) * 1000),
          userId: new Date((T + 200) * 1000),
          username: new Date((T + 200) * 1000),
          profileName: new Date((T + 300) * 1000),
        },
      });
  });

  it("takes the new phone number and BSUID of a user_changed_number notice", () => {
    const message = eventFrom(phoneOnlyTextMessage({ id: wamid("before-change"), timestamp: T + 100 }));
    const changed = eventFrom(userChangedNumber({ id: wamid("change"), timestamp: T + 200 }));
    for (const order of [
      [message, changed],
      [changed, message],
    ])
      expect(fold(order)).toMatchObject({ waId: CUSTOMER_NEW_WA_ID, userId: CUSTOMER_NEW_BSUID });
    const olderNotice = eventFrom(userChangedNumber({ id: wamid("old-change"), timestamp: T }));
    expect(fold([message, olderNotice]).waId).toBe(CUSTOMER_WA_ID);
  });
});

describe("evolveConversation with edits and revokes", () => {
  const earlier = eventFrom(
    bothIdentifiersTextMessage({ id: wamid("earlier"), timestamp: T - 100, body: "Hello" }),
  );
  const lastId = wamid("last");
  const last = eventFrom(
    bothIdentifiersTextMessage({ id: lastId, timestamp: T, body: "Does it come in red?" }),
  );
  const edit = (seed: string, at: number, body: string, of = lastId) =>
    eventFrom(editMessage({ id: wamid(seed), timestamp: at, originalMessageId: of, body }));
  const revokeOf = (of: string, at = T + 30) =>
    eventFrom(revokeMessage({ id: wamid(`revoke-${of}`), timestamp: at, originalMessageId: of }));
  const unchangedByChanges = (doc: ConversationDocument) => ({
    messageCount: doc.messageCount,
    firstMessageAt: doc.firstMessageAt,
    lastMessageAt: doc.lastMessageAt,
    lastMessageId: doc.lastMessageId,
    lastMessageType: doc.lastMessageType,
    serviceWindowExpiresAt: doc.serviceWindowExpiresAt,
  });

  it("never moves the message fields or the service window for an edit or a revoke", () => {
    const before = fold([earlier, last]);
    for (const change of [
      edit("e1", T + 10, "Does it come in blue?"),
      revokeOf(lastId),
      revokeOf(wamid("earlier")),
    ])
      expect(unchangedByChanges(evolveConversation(before, change))).toEqual(unchangedByChanges(before));
  });

  it("previews the last message's edit, and withdraws it on a revoke", () => {
    const before = fold([earlier, last]);
    expect(evolveConversation(before, edit("e1", T + 10, "Does it come in blue?")).lastMessagePreview).toBe(
      "Does it come in blue?",
    );
    expect(evolveConversation(before, revokeOf(lastId)).lastMessagePreview).toBe(withdrawnPreview);
    expect(fold([revokeOf(lastId), edit("e1", T + 10, "Blue?")], before).lastMessagePreview).toBe(
      withdrawnPreview,
    );
  });

  it("leaves the preview alone for a change to an earlier message", () => {
    const before = fold([earlier, last]);
    expect(evolveConversation(before, revokeOf(wamid("earlier"))).lastMessagePreview).toBe(
      "Does it come in red?",
    );
    expect(evolveConversation(before, edit("e0", T + 10, "Hi", wamid("earlier"))).lastMessagePreview).toBe(
      "Does it come in red?",
    );
  });

  it("holds only the changes, with the customer's identity, until a message arrives", () => {
    const at = new Date((T + 10) * 1000);
    const editFirst = evolveConversation(null, edit("e1", T + 10, "Blue?"));
    expect(editFirst).toEqual({
      _id: id(CUSTOMER_WA_ID),
      phoneNumberId: PHONE_NUMBER_ID,
      waId: CUSTOMER_WA_ID,
      userId: CUSTOMER_BSUID,
      parentUserId: null,
      username: null,
      profileName: CUSTOMER_PROFILE_NAME,
      identitySeenAt: { waId: at, userId: at, profileName: at },
      messageCount: 0,
      firstMessageAt: null,
      lastMessageAt: null,
      lastMessageId: null,
      lastMessageType: null,
      lastMessageOwnPreview: null,
      serviceWindowExpiresAt: null,
      lastMessagePreview: null,
      recentChanges: [{ messageId: lastId, id: wamid("e1"), at, kind: "edit", preview: "Blue?" }],
      projectionVersion: conversationProjectionVersion,
    });
    expect(evolveConversation(editFirst, edit("e1", T + 10, "Blue?"))).toBe(editFirst);
    expect(evolveConversation(null, revokeOf(lastId))).toMatchObject({
      lastMessageId: null,
      lastMessagePreview: null,
      recentChanges: [{ messageId: lastId, kind: "revoke", preview: null }],
    });
  });

  it("applies a change that came before any message once the message arrives", () => {
    const change = edit("e1", T + 10, "Blue?");
    expect(JSON.stringify(fold([change, last]))).toBe(JSON.stringify(fold([last, change])));
    expect(fold([change, last]).lastMessagePreview).toBe("Blue?");
    expect(fold([revokeOf(lastId), earlier, last]).lastMessagePreview).toBe(withdrawnPreview);
  });

  it("keeps nothing of a change older than the last message, whichever came first", () => {
    const olderChange = revokeOf(wamid("earlier"), T - 50);
    expect(fold([olderChange, last])).toEqual(fold([last]));
    expect(fold([last, olderChange])).toEqual(fold([last]));
  });

  it("previews the latest edit by time whatever the order of the edits", () => {
    const first = edit("e1", T + 10, "Blue?");
    const second = edit("e2", T + 20, "Green?");
    expect(fold([earlier, last, first, second]).lastMessagePreview).toBe("Green?");
    expect(fold([earlier, last, second, first]).lastMessagePreview).toBe("Green?");
  });

  it("previews an edit or revoke that arrived before the message it changes", () => {
    expect(fold([earlier, edit("e1", T + 10, "Blue?"), last]).lastMessagePreview).toBe("Blue?");
    expect(fold([earlier, revokeOf(lastId), last]).lastMessagePreview).toBe(withdrawnPreview);
  });
});
