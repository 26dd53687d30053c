/* eslint-disable @typescript-eslint/no-explicit-any -- reads Meta's free-form keys of the stored document */
import { inboundMessageBodies, PHONE_NUMBER_ID, CUSTOMER_WA_ID } from "../../../tests/fixtures/meta-webhooks";
import { inboundEvent } from "../../../tests/fixtures/inbound-events";
import type { InboundMessageEvent } from "../../../contracts/generated/types";
import {
  evolveConversation,
  type ConversationDocument,
  inboundMessageDocument,
  previewOf,
  serviceWindowMs,
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
