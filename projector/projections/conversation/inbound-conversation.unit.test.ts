/* eslint-disable @typescript-eslint/no-explicit-any -- reads Meta's free-form keys of the stored document */
import {
  inboundMessageBodies,
  PHONE_NUMBER_ID,
  CUSTOMER_WA_ID,
  wamid,
} from "../../../tests/fixtures/meta-webhooks";
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
  userChangedUserId,
} from "../../../tests/fixtures/identity-webhooks";
import { inboundEvent, parsedBody } from "../../../tests/fixtures/inbound-events";
import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { planLinks } from "../../framework/linked-ids";
import { isMerged, type MergedDocument } from "../../framework/projection";
import {
  conversationProjectionVersion,
  conversationSurvivor,
  customerIdsOf,
  evolveConversation,
  evolveInboundMessage,
  type ConversationDocument,
  inboundMessageDocument,
  type InboundMessageDocument,
  inboundMessageIdOf,
  mergeConversations,
  previewOf,
  serviceWindowMs,
  withdrawnPreview,
} from "./inbound-conversation";

const body = (name: string) => inboundMessageBodies[name]!;

describe("inboundMessageDocument", () => {
  it("keeps the content under the keys Meta uses, with our fields beside it", () => {
    const doc = inboundMessageDocument(inboundEvent("wamid.A", 1750263780, body("text")));
    expect(doc).toMatchObject({
      _id: "wamid.A",
      conversationId: `${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`,
      from: CUSTOMER_WA_ID,
      profileName: "Sheena Nelson",
      phoneNumberId: PHONE_NUMBER_ID,
      timestamp: new Date(1750263780000),
      type: "text",
      text: { body: "Does it come in another color?" },
    });
  });

  it.each([
    ["image", (d: Record<string, any>) => [d.image.id, d.image.caption], ["1003383421387256", "This one"]],
    [
      "interactive_button_reply",
      (d: Record<string, any>) => [d.interactive.button_reply.id],
      ["cancel-order"],
    ],
    [
      "interactive_list_reply",
      (d: Record<string, any>) => [d.interactive.list_reply.id],
      ["priority_express"],
    ],
    [
      "interactive_nfm_reply",
      (d: Record<string, any>) => [d.interactive.nfm_reply.response_json],
      [expect.stringContaining("flow_token")],
    ],
    ["location", (d: Record<string, any>) => [d.location.name], ["Philz Coffee"]],
    ["contacts", (d: Record<string, any>) => [d.contacts[0].name.formatted_name], ["Barbara J. Johnson"]],
    ["button", (d: Record<string, any>) => [d.button.payload], ["STOP_PROMOTIONS"]],
    ["reaction", (d: Record<string, any>) => [d.reaction.message_id], [expect.stringMatching(/^wamid\./)]],
    ["reply_with_context", (d: Record<string, any>) => [d.context.id], [expect.stringMatching(/^wamid\./)]],
    ["referral", (d: Record<string, any>) => [d.referral.source_id], ["120226305854810726"]],
    ["unsupported", (d: Record<string, any>) => [d.errors[0].code], [131051]],
    ["order", (d: Record<string, any>) => [d.order.product_items[0].product_retailer_id], ["di9ozbzfi4"]],
    ["system", (d: Record<string, any>) => [d.system.type], ["user_changed_number"]],
    ["video", (d: Record<string, any>) => [d.video.id], ["1013000000000001"]],
    ["audio", (d: Record<string, any>) => [d.audio.voice], [true]],
    ["document", (d: Record<string, any>) => [d.document.filename], ["invoice-1234.pdf"]],
    ["sticker", (d: Record<string, any>) => [d.sticker.mime_type], ["image/webp"]],
  ])("puts a %s message under Meta's keys", (name, pick, expected) => {
    const doc = inboundMessageDocument(inboundEvent(`wamid.${name}`, 1750263780, body(name)));
    expect(pick(doc)).toEqual(expected);
    expect(doc.type).toBe(body(name).type);
  });
});

const fold = (messages: readonly InboundMessageEvent[], from: ConversationDocument | null = null) =>
  messages.reduce<ConversationDocument | null>(evolveConversation, from)!;

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
    const older = evolveConversation(doc, inboundEvent("wamid.0", 500, body("text")))!;
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

describe("previewOf", () => {
  it("shows text, captions, replies and a type tag otherwise", () => {
    expect(previewOf(inboundEvent("w", 1, body("text")))).toBe("Does it come in another color?");
    expect(previewOf(inboundEvent("w", 1, body("image")))).toBe("This one");
    expect(previewOf(inboundEvent("w", 1, body("interactive_button_reply")))).toBe("Cancel order");
    expect(previewOf(inboundEvent("w", 1, body("location")))).toBe("Philz Coffee");
    expect(previewOf(inboundEvent("w", 1, body("unsupported")))).toBe("[unsupported]");
    expect(previewOf(inboundEvent("w", 1, { type: "text", text: { body: "y".repeat(300) } })).length).toBe(
      100,
    );
  });
});

describe("inboundMessageDocument, content the store could not hold as sent", () => {
  const withContent = (content: Record<string, unknown>) =>
    inboundMessageDocument(
      inboundEvent("wamid.X", 1750263780, { type: "text", text: { body: "hi" }, ...content }),
    );

  it.each([
    ["a key starting with $", { $where: "1" }],
    ["a dotted key", { "a.b": { c: 1 } }],
    ["a value with nested arrays", { extra: { m: [[1, 2]] } }],
    ["a key that is one of our fields", { conversationId: "elsewhere" }],
  ])("keeps %s only in messageJson, never as the document's shape", (_, content) => {
    const doc = withContent(content);
    for (const key of Object.keys(content)) {
      if (key !== "conversationId") expect(doc).not.toHaveProperty([key]);
    }
    expect(doc.conversationId).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`);
    expect(JSON.parse(doc.messageJson!)).toMatchObject(content);
    expect(doc.text).toEqual({ body: "hi" });
  });

  it("keeps a __proto__ key in messageJson instead of losing it to the prototype", () => {
    const doc = inboundMessageDocument(
      inboundEvent(
        "wamid.P",
        1750263780,
        JSON.parse('{"type":"text","text":{"body":"hi"},"__proto__":{"x":1}}'),
      ),
    );
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(doc.messageJson).toContain("__proto__");
  });

  it("stores U+0000 in Meta's strings as U+FFFD", () => {
    const doc = withContent({ text: { body: "a\u0000b" } });
    expect(doc.text).toEqual({ body: "a\uFFFDb" });
    expect(doc.messageJson).toBeNull();
  });
});

/** An inbound event exactly as the ingress derives it from one of the identity-era Meta bodies. */
function eventFrom(body: Record<string, unknown>): InboundMessageEvent {
  const parsed = parsedBody(body);
  const message = parsed.inboundMessages[0];
  if (!message) throw new Error(`the ingress derived no inbound message: ${parsed.raw.value.problem}`);
  return message.value;
}

const T = 1750030000;
const id = (customerId: string) => `${PHONE_NUMBER_ID}:${customerId}`;

/** Every order of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Every way to put `items` in two non-empty groups, each group in the order of `items`. */
function splits<T>(items: readonly T[]): [T[], T[]][] {
  const result: [T[], T[]][] = [];
  for (let mask = 1; mask < 2 ** items.length - 1; mask++)
    result.push([items.filter((_, i) => mask & (1 << i)), items.filter((_, i) => !(mask & (1 << i)))]);
  return result;
}

/** A fixed-seed generator (mulberry32): the same "random" orders on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the order of arrival must not change: everything but the id, the framework's count and the version. */
const content = ({ _id, messageCount: _count, projectionVersion: _version, ...rest }: ConversationDocument) =>
  rest;

/** One customer, by phone number, by BSUID, by both, then changing number. */
const customerEvents = [
  eventFrom(phoneOnlyTextMessage({ id: wamid("phone-1"), timestamp: T + 10, profileName: "Sheena Nelson" })),
  eventFrom(
    bsuidOnlyTextMessage({
      id: wamid("bsuid-1"),
      timestamp: T + 20,
      username: CUSTOMER_USERNAME,
      profileName: CUSTOMER_PROFILE_NAME,
    }),
  ),
  eventFrom(
    bothIdentifiersTextMessage({
      id: wamid("both-1"),
      timestamp: T + 30,
      parentUserId: CUSTOMER_PARENT_BSUID,
      body: "Blue, please",
    }),
  ),
  eventFrom(phoneOnlyTextMessage({ id: wamid("phone-2"), timestamp: T + 40, profileName: "Pablo Morales" })),
  eventFrom(
    userChangedNumber({
      id: wamid("changed"),
      timestamp: T + 50,
      newParentUserId: CUSTOMER_NEW_PARENT_BSUID,
    }),
  ),
];

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
    const folds = splits(customerEvents).map(([group]) => fold(group));

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
  });
});

type LinkedConversation = ConversationDocument & { linkedIds?: string[] };

/** The whole conversation projection in memory: what MongoReadModels does with its plan, without a store. */
class InMemoryConversations {
  readonly documents = new Map<string, LinkedConversation | MergedDocument>();

  apply(batch: readonly InboundMessageEvent[]): void {
    const idsPerEvent = batch.map((event) => [...new Set(customerIdsOf(event))]);
    const documents = new Set<string>();
    const mergedInto = new Map<string, string>();
    const liveLinkedIds = new Map<string, readonly string[]>();
    // As MongoReadModels: each id's document, and where pointers lead.
    const read = (ids: readonly string[]) => {
      for (let toRead = [...new Set(ids)]; toRead.length > 0;) {
        const next: string[] = [];
        for (const documentId of toRead) {
          const document = this.documents.get(documentId);
          if (!document || documents.has(documentId)) continue;
          documents.add(documentId);
          if (isMerged(document)) next.push(document.mergedInto);
          if (isMerged(document)) mergedInto.set(documentId, document.mergedInto);
          else liveLinkedIds.set(documentId, document.linkedIds ?? [documentId]);
        }
        toRead = next;
      }
    };
    read(idsPerEvent.flat());
    const joined = new Map<string, readonly string[]>();
    let plan = planLinks(idsPerEvent, { mergedInto, documents, linkedIds: joined }, conversationSurvivor);
    for (;;) {
      const away = [...plan.mergedAway.values()].flat().filter((id) => !joined.has(id));
      if (away.length === 0) break;
      for (const id of away) joined.set(id, liveLinkedIds.get(id) ?? [id]);
      read(away.flatMap((id) => joined.get(id)!));
      plan = planLinks(idsPerEvent, { mergedInto, documents, linkedIds: joined }, conversationSurvivor);
    }
    const eventsOf = new Map<string, InboundMessageEvent[]>();
    batch.forEach((event, i) => {
      const survivor = plan.survivorOfEvent[i]!;
      eventsOf.set(survivor, [...(eventsOf.get(survivor) ?? []), event]);
    });
    for (const [survivor, events] of eventsOf) {
      const stored = this.documents.get(survivor);
      let document: LinkedConversation | null = stored && !isMerged(stored) ? stored : null;
      const ids = new Set([...(plan.idsOf.get(survivor) ?? [survivor]), ...(document?.linkedIds ?? [])]);
      for (const awayId of plan.mergedAway.get(survivor) ?? []) {
        const other = this.documents.get(awayId);
        if (!other || isMerged(other)) continue;
        for (const otherId of other.linkedIds ?? [other._id]) ids.add(otherId);
        const joinedDocument = { ...other, _id: survivor };
        document = document ? mergeConversations(document, joinedDocument) : joinedDocument;
      }
      const folded = events.reduce<ConversationDocument | null>(evolveConversation, document);
      if (folded) this.documents.set(survivor, { ...folded, _id: survivor, linkedIds: [...ids].sort() });
    }
    // Then the pointers, then the documents merged away, as MongoReadModels writes them.
    for (const [customerId, documentId] of plan.pointerWrites) {
      expect(isMerged(this.documents.get(customerId) ?? { mergedInto: "" })).toBe(true);
      this.documents.set(customerId, { _id: customerId, mergedInto: documentId });
    }
    for (const [survivor, away] of plan.mergedAway)
      for (const awayId of away) this.documents.set(awayId, { _id: awayId, mergedInto: survivor });
  }

  live(): LinkedConversation[] {
    return [...this.documents.values()].filter((d): d is LinkedConversation => !isMerged(d));
  }

  /** The document an id leads to, following pointers. */
  resolve(customerId: string): string | undefined {
    let documentId: string | undefined = customerId;
    for (let document = this.documents.get(documentId); document && isMerged(document);) {
      documentId = document.mergedInto;
      document = this.documents.get(documentId);
    }
    return documentId;
  }
}

describe("the conversation projection in memory (planLinks, mergeConversations, evolveConversation)", () => {
  const allIds = [CUSTOMER_WA_ID, CUSTOMER_NEW_WA_ID, CUSTOMER_BSUID, CUSTOMER_NEW_BSUID].map(id).sort();
  const project = (batches: InboundMessageEvent[][]) => {
    const store = new InMemoryConversations();
    for (const batch of batches) store.apply(batch);
    return store;
  };
  const { messageCount, projectionVersion, ...expected } = {
    ...fold(customerEvents),
    _id: id(CUSTOMER_WA_ID),
    linkedIds: allIds,
  };

  it("ends in one document under the smallest phone-number id, whatever the order and batching", () => {
    const random = seeded(11);
    for (const order of permutations(customerEvents)) {
      const oneByOne = order.map((event) => [event]);
      const batches: InboundMessageEvent[][] = [[]];
      for (const event of order) {
        if (batches[batches.length - 1]!.length > 0 && random() < 0.5) batches.push([]);
        batches[batches.length - 1]!.push(event);
      }
      for (const store of [project(oneByOne), project(batches), project([order])]) {
        const live = store.live();
        expect(live).toHaveLength(1);
        const { messageCount: _count, projectionVersion: _version, ...document } = live[0]!;
        expect(document).toEqual(expected);
        for (const customerId of allIds) expect(store.resolve(customerId)).toBe(id(CUSTOMER_WA_ID));
      }
    }
    expect([messageCount, projectionVersion]).toEqual([0, conversationProjectionVersion]);
  });

  it("merges a BSUID-only conversation into the phone number's once a message names both", () => {
    const [phone, bsuid, both] = customerEvents;
    const store = project([[bsuid!], [phone!]]);
    expect(
      store
        .live()
        .map((d) => d._id)
        .sort(),
    ).toEqual([id(CUSTOMER_WA_ID), id(CUSTOMER_BSUID)]);
    store.apply([both!]);
    expect(store.documents.get(id(CUSTOMER_BSUID))).toEqual({
      _id: id(CUSTOMER_BSUID),
      mergedInto: id(CUSTOMER_WA_ID),
    });
    expect(store.live()).toHaveLength(1);
    expect(store.live()[0]).toMatchObject({
      _id: id(CUSTOMER_WA_ID),
      waId: CUSTOMER_WA_ID,
      userId: CUSTOMER_BSUID,
      username: CUSTOMER_USERNAME,
      firstMessageAt: new Date((T + 10) * 1000),
      lastMessageAt: new Date((T + 30) * 1000),
      linkedIds: [id(CUSTOMER_WA_ID), id(CUSTOMER_BSUID)].sort(),
    });
  });
});

describe("the customer's identity", () => {
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

  it("goes by the smallest phone-number id, else the smallest BSUID id", () => {
    expect(conversationSurvivor([id(CUSTOMER_BSUID), id(CUSTOMER_NEW_WA_ID), id(CUSTOMER_WA_ID)])).toBe(
      id(CUSTOMER_WA_ID),
    );
    expect(conversationSurvivor([id(CUSTOMER_NEW_WA_ID), id("US.00000000000000000001")])).toBe(
      id(CUSTOMER_NEW_WA_ID),
    );
    expect(conversationSurvivor([id(CUSTOMER_NEW_BSUID), id(CUSTOMER_BSUID)])).toBe(id(CUSTOMER_BSUID));
    expect(conversationSurvivor([id(CUSTOMER_PARENT_BSUID)])).toBe(id(CUSTOMER_PARENT_BSUID));
  });

  it.each([
    ["a phone-only message", () => phoneOnlyTextMessage(), [CUSTOMER_WA_ID]],
    ["a BSUID-only message", () => bsuidOnlyTextMessage(), [CUSTOMER_BSUID]],
    ["a message with both", () => bothIdentifiersTextMessage(), [CUSTOMER_WA_ID, CUSTOMER_BSUID]],
    [
      "a user_changed_number notice",
      () => userChangedNumber(),
      [CUSTOMER_WA_ID, CUSTOMER_NEW_WA_ID, CUSTOMER_NEW_BSUID, CUSTOMER_BSUID],
    ],
    [
      "a user_changed_number notice of the older shape",
      () => userChangedNumber({ newUserId: null }),
      [CUSTOMER_WA_ID, CUSTOMER_NEW_WA_ID],
    ],
    ["a user_changed_user_id notice", () => userChangedUserId(), [CUSTOMER_BSUID, CUSTOMER_NEW_BSUID]],
    ["an edit", () => editMessage(), [CUSTOMER_WA_ID, CUSTOMER_BSUID]],
    ["a revoke by a username user", () => revokeMessage({ from: null }), [CUSTOMER_BSUID]],
  ])("names the customer's ids in %s", (_, body, customerIds) => {
    expect(customerIdsOf(eventFrom(body())).sort()).toEqual(customerIds.map(id).sort());
  });
});

describe("evolveInboundMessage", () => {
  const originalId = wamid("original-message");
  const original = eventFrom(
    bothIdentifiersTextMessage({ id: originalId, timestamp: T, body: "Does it come in another color?" }),
  );
  const firstEdit = eventFrom(
    editMessage({ id: wamid("edit-1"), timestamp: T + 10, originalMessageId: originalId, body: "In blue?" }),
  );
  const secondEdit = eventFrom(
    editMessage({ id: wamid("edit-2"), timestamp: T + 20, originalMessageId: originalId, body: "In green?" }),
  );
  const revoke = eventFrom(
    revokeMessage({ id: wamid("revoke"), timestamp: T + 30, originalMessageId: originalId }),
  );
  const foldMessage = (events: readonly InboundMessageEvent[]) =>
    events.reduce<InboundMessageDocument | null>(evolveInboundMessage, null)!;

  it("routes an edit and a revoke to the original message's document", () => {
    expect([original, firstEdit, revoke].map(inboundMessageIdOf)).toEqual([
      originalId,
      originalId,
      originalId,
    ]);
  });

  it("gives the same document for every order of the message, its edits and its revoke", () => {
    for (const events of [
      [original, firstEdit, secondEdit],
      [original, firstEdit, secondEdit, revoke],
    ]) {
      const expected = foldMessage(events);
      for (const order of permutations(events)) expect(foldMessage(order)).toEqual(expected);
    }
  });

  // Known bug: an edit that arrives after the revoke, the original being there, puts `revokedAt` and
  // `revokeId` before `edits` and `editedAt`: equal values, another field order in the stored document.
  it("gives the same document field for field, in the same field order, for every order", () => {
    const events = [original, firstEdit, revoke];
    const expected = JSON.stringify(foldMessage(events));
    for (const order of permutations(events)) expect(JSON.stringify(foldMessage(order))).toBe(expected);
  });

  it("shows the latest edit's content by time, with every edit in order", () => {
    const doc = foldMessage([original, secondEdit, firstEdit]);
    expect(doc).toMatchObject({
      _id: originalId,
      type: "text",
      timestamp: new Date(T * 1000),
      text: { body: "In green?" },
      editedAt: new Date((T + 20) * 1000),
    });
    expect(doc.edits).toEqual([
      {
        id: wamid("edit-1"),
        at: new Date((T + 10) * 1000),
        content: { text: { body: "In blue?" } },
        messageJson: null,
      },
      {
        id: wamid("edit-2"),
        at: new Date((T + 20) * 1000),
        content: { text: { body: "In green?" } },
        messageJson: null,
      },
    ]);
    expect(doc.revokedAt).toBeUndefined();
  });

  it("drops the content of a withdrawn message and of its edits", () => {
    const doc = foldMessage([original, firstEdit, revoke]);
    expect(doc).not.toHaveProperty("text");
    expect(doc).toMatchObject({
      _id: originalId,
      type: "text",
      timestamp: new Date(T * 1000),
      messageJson: null,
      revokedAt: new Date((T + 30) * 1000),
      revokeId: wamid("revoke"),
    });
    expect(doc.edits!.map((edit) => [edit.content, edit.messageJson])).toEqual([[null, null]]);
    expect(JSON.stringify(doc)).not.toContain("another color");
    expect(JSON.stringify(doc)).not.toContain("In blue");
  });

  it("keeps the earlier of two revokes", () => {
    const later = eventFrom(
      revokeMessage({ id: wamid("revoke-2"), timestamp: T + 40, originalMessageId: originalId }),
    );
    for (const order of permutations([original, revoke, later]))
      expect(foldMessage(order).revokeId).toBe(wamid("revoke"));
  });

  it("holds only the change until the original arrives, then the whole message with the change applied", () => {
    const editFirst = foldMessage([secondEdit]);
    expect(editFirst).toMatchObject({ _id: originalId, type: null, timestamp: null });
    expect(editFirst).not.toHaveProperty("text");
    const whole = evolveInboundMessage(editFirst, original);
    expect(whole).toEqual(foldMessage([original, secondEdit]));
    expect(whole).toMatchObject({ type: "text", timestamp: new Date(T * 1000), text: { body: "In green?" } });

    const revokeFirst = foldMessage([revoke]);
    expect(revokeFirst).toMatchObject({
      _id: originalId,
      type: null,
      timestamp: null,
      revokedAt: new Date((T + 30) * 1000),
    });
    const withdrawn = evolveInboundMessage(revokeFirst, original);
    expect(withdrawn).toMatchObject({ type: "text", timestamp: new Date(T * 1000) });
    expect(withdrawn).not.toHaveProperty("text");
  });

  it("returns the document itself for a replay of any of its events", () => {
    const events = [original, firstEdit, secondEdit, revoke];
    for (const order of permutations(events)) {
      const doc = foldMessage(order);
      for (const event of events) expect(evolveInboundMessage(doc, event)).toBe(doc);
    }
    const editOnly = foldMessage([firstEdit]);
    expect(evolveInboundMessage(editOnly, firstEdit)).toBe(editOnly);
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
      expect(unchangedByChanges(evolveConversation(before, change)!)).toEqual(unchangedByChanges(before));
  });

  it("previews the last message's edit, and withdraws it on a revoke", () => {
    const before = fold([earlier, last]);
    expect(evolveConversation(before, edit("e1", T + 10, "Does it come in blue?"))!.lastMessagePreview).toBe(
      "Does it come in blue?",
    );
    expect(evolveConversation(before, revokeOf(lastId))!.lastMessagePreview).toBe(withdrawnPreview);
    expect(fold([revokeOf(lastId), edit("e1", T + 10, "Blue?")], before).lastMessagePreview).toBe(
      withdrawnPreview,
    );
  });

  it("leaves the preview alone for a change to an earlier message", () => {
    const before = fold([earlier, last]);
    expect(evolveConversation(before, revokeOf(wamid("earlier")))!.lastMessagePreview).toBe(
      "Does it come in red?",
    );
    expect(evolveConversation(before, edit("e0", T + 10, "Hi", wamid("earlier")))!.lastMessagePreview).toBe(
      "Does it come in red?",
    );
  });

  it("keeps nothing for an edit or a revoke before any message", () => {
    expect(evolveConversation(null, edit("e1", T + 10, "Blue?"))).toBeNull();
    expect(evolveConversation(null, revokeOf(lastId))).toBeNull();
  });

  // Known bug: the preview takes the edit that arrives last, not the latest by time.
  it("previews the latest edit by time whatever the order of the edits", () => {
    const first = edit("e1", T + 10, "Blue?");
    const second = edit("e2", T + 20, "Green?");
    expect(fold([earlier, last, first, second]).lastMessagePreview).toBe("Green?");
    expect(fold([earlier, last, second, first]).lastMessagePreview).toBe("Green?");
  });

  // Known bug: a change that arrives before the message it changes is lost from the preview.
  it("previews an edit or revoke that arrived before the message it changes", () => {
    expect(fold([earlier, edit("e1", T + 10, "Blue?"), last]).lastMessagePreview).toBe("Blue?");
    expect(fold([earlier, revokeOf(lastId), last]).lastMessagePreview).toBe(withdrawnPreview);
  });
});
