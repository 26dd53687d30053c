/* eslint-disable @typescript-eslint/no-explicit-any -- reads Meta's free-form keys of the stored document */
import {
  bothIdentifiersTextMessage,
  CUSTOMER_BSUID,
  editMessage,
  revokeMessage,
} from "../../../tests/fixtures/identity-webhooks";
import { inboundEvent } from "../../../tests/fixtures/inbound-events";
import {
  CUSTOMER_WA_ID,
  inboundMessageBodies,
  PHONE_NUMBER_ID,
  wamid,
} from "../../../tests/fixtures/meta-webhooks";
import { eventFrom, foldMessage, permutations, T } from "../../../tests/fixtures/customer-scenarios";
import { evolveInboundMessage, inboundMessageDocument, inboundMessageIdOf } from "./inbound-message";

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

  it("holds the same changes in any order until the message arrives, with the earliest change's sender", () => {
    const byUsername = eventFrom(
      editMessage({
        id: wamid("edit-0"),
        timestamp: T + 5,
        originalMessageId: originalId,
        body: "In red?",
        from: null,
      }),
    );
    const changes = [byUsername, firstEdit, secondEdit, revoke];
    const expected = foldMessage(changes);
    expect(expected).toMatchObject({
      _id: originalId,
      type: null,
      timestamp: null,
      fromWaId: null,
      fromUserId: CUSTOMER_BSUID,
      revokeId: wamid("revoke"),
    });
    expect(expected).not.toHaveProperty("edit");
    for (const order of permutations(changes))
      expect(JSON.stringify(foldMessage(order))).toBe(JSON.stringify(expected));
    for (const order of permutations([...changes, original]))
      expect(JSON.stringify(foldMessage(order))).toBe(JSON.stringify(foldMessage([original, ...changes])));
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
