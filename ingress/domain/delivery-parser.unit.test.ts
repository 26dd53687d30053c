import {
  CUSTOMER_WA_ID,
  DISPLAY_PHONE_NUMBER,
  PHONE_NUMBER_ID,
  WABA_ID,
  conversation,
  envelope,
  failedStatusErrors,
  inboundDelivery,
  inboundMessageBodies,
  messagesChange,
  otherFieldChanges,
  pricing,
  statusDelivery,
  statusObject,
  wamid,
} from "../../tests/fixtures/meta-webhooks";
import {
  CUSTOMER_BSUID,
  CUSTOMER_NEW_BSUID,
  CUSTOMER_NEW_PARENT_BSUID,
  CUSTOMER_NEW_WA_ID,
  CUSTOMER_PARENT_BSUID,
  CUSTOMER_PROFILE_NAME,
  CUSTOMER_USERNAME,
  bothIdentifiersTextMessage,
  bsuidOnlyTextMessage,
  editMessage,
  phoneOnlyTextMessage,
  revokeMessage,
  statusWithUserId,
  unknownValueField,
  untypedObjects,
  userChangedNumber,
  userChangedUserId,
} from "../../tests/fixtures/identity-webhooks";
import {
  GROUP_ID,
  GROUP_MESSAGE_ID,
  GROUP_PARTICIPANTS,
  groupStatuses,
} from "../../tests/fixtures/customer-channel-webhooks";
import {
  describeUntyped,
  groupStatusEventId,
  parseDelivery,
  statusEventId,
  withoutDerivedEvents,
  type ReceivedDelivery,
  inboundEventId,
  businessEventId,
} from "./delivery-parser";

const received = (payload: unknown): ReceivedDelivery => ({
  requestId: "3f1c2d4e-0000-4000-8000-000000000001",
  receivedAt: 1750263780000,
  body: Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)),
  signatureHeader: "sha256=00",
  contentType: "application/json",
});

describe("parseDelivery: statuses", () => {
  it("turns each status into one event keyed by wamid, with every documented field", () => {
    const id = wamid("s1");
    const parsed = parseDelivery(
      received(
        statusDelivery([
          statusObject(id, "sent", 1750263773, {
            conversation,
            pricing,
            biz_opaque_callback_data: "order-17",
          }),
          statusObject(id, "delivered", 1750263774, { conversation, pricing }),
        ]),
      ),
    );
    expect(parsed.statuses).toHaveLength(2);
    expect(parsed.statuses.map((s) => s.key)).toEqual([id, id]);
    expect(parsed.statuses[0]!.value).toMatchObject({
      wamid: id,
      status: "sent",
      timestamp: 1750263773000,
      recipientId: CUSTOMER_WA_ID,
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: DISPLAY_PHONE_NUMBER,
      wabaId: WABA_ID,
      conversation: { id: conversation.id, originType: "utility", expiration: 1750350180000 },
      pricing: { billable: true, model: "PMP", category: "utility", type: "regular" },
      errors: [],
      bizOpaqueCallbackData: "order-17",
      rawEventId: "3f1c2d4e-0000-4000-8000-000000000001",
    });
    expect(JSON.parse(parsed.statuses[0]!.value.statusJson)).toMatchObject({ id, status: "sent" });
    expect(parsed.raw.value).toMatchObject({
      statusCount: 2,
      inboundCount: 0,
      businessEventCount: 0,
      shapeRecognized: true,
    });
  });

  it("keeps the error codes of a failed status", () => {
    const id = wamid("f1");
    const [failed] = parseDelivery(
      received(statusDelivery([statusObject(id, "failed", 1750263775, { errors: failedStatusErrors })])),
    ).statuses;
    expect(failed!.value.errors).toEqual([
      {
        code: 131047,
        title: "Re-engagement message",
        message: "Re-engagement message",
        details: failedStatusErrors[0]!.error_data.details,
        href: failedStatusErrors[0]!.href,
      },
    ]);
  });

  it.each(["read", "played", "deleted", "some_status_meta_adds_later"])(
    "keeps status %s as sent, never drops it",
    (status) => {
      const [event] = parseDelivery(
        received(statusDelivery([statusObject(wamid(), status, 1750263776)])),
      ).statuses;
      expect(event!.value.status).toBe(status);
    },
  );

  it("gives a redelivered status the same event id, and a different status another", () => {
    const id = wamid("same");
    const first = parseDelivery(received(statusDelivery([statusObject(id, "read", 1750263777)])))
      .statuses[0]!;
    const again = parseDelivery({
      ...received(statusDelivery([statusObject(id, "read", 1750263777)])),
      requestId: "other",
    }).statuses[0]!;
    const other = parseDelivery(received(statusDelivery([statusObject(id, "delivered", 1750263777)])))
      .statuses[0]!;
    expect(again.value.eventId).toBe(first.value.eventId);
    expect(first.value.eventId).toBe(statusEventId(id, "read", 1750263777000));
    expect(other.value.eventId).not.toBe(first.value.eventId);
  });
});

describe("parseDelivery: inbound messages", () => {
  const parseOne = (body: Record<string, unknown>) => {
    const id = wamid();
    const parsed = parseDelivery(received(inboundDelivery({ id, timestamp: "1750263780", ...body })));
    expect(parsed.inboundMessages).toHaveLength(1);
    return parsed.inboundMessages[0]!;
  };

  it("keys by <phone_number_id>:<wa_id> and carries sender, business and time", () => {
    const event = parseOne(inboundMessageBodies.text!);
    expect(event.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`);
    expect(event.value).toMatchObject({
      from: CUSTOMER_WA_ID,
      profileName: "Sheena Nelson",
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: DISPLAY_PHONE_NUMBER,
      wabaId: WABA_ID,
      timestamp: 1750263780000,
      type: "text",
      text: { body: "Does it come in another color?" },
    });
  });

  it.each(Object.keys(inboundMessageBodies))("keeps the whole %s message as Meta sent it", (name) => {
    const body = inboundMessageBodies[name]!;
    const event = parseOne(body);
    expect(JSON.parse(event.value.messageJson)).toMatchObject(body);
    expect(event.value.type).toBe(body.type);
  });

  it("types media fields", () => {
    expect(parseOne(inboundMessageBodies.image!).value.image).toEqual({
      id: "1003383421387256",
      mimeType: "image/jpeg",
      sha256: "n1Xr0Zk0Jm2RzcE0Pf1JYd6Tw2XvY5bWb0JrRx6I9Z4=",
      caption: "This one",
      filename: null,
      voice: null,
      animated: null,
    });
    expect(parseOne(inboundMessageBodies.audio!).value.audio).toMatchObject({
      voice: true,
      mimeType: "audio/ogg; codecs=opus",
    });
    expect(parseOne(inboundMessageBodies.document!).value.document).toMatchObject({
      filename: "invoice-1234.pdf",
      caption: "invoice",
    });
    expect(parseOne(inboundMessageBodies.sticker!).value.sticker).toMatchObject({ animated: false });
    expect(parseOne(inboundMessageBodies.video!).value.video).toMatchObject({ caption: "unboxing" });
  });

  it("types location, contacts, button and reaction", () => {
    expect(parseOne(inboundMessageBodies.location!).value.location).toEqual({
      latitude: 37.483307,
      longitude: -122.148981,
      name: "Philz Coffee",
      address: "101 Forest Ave, Palo Alto, CA 94301",
      url: "https://philzcoffee.com",
    });
    expect(parseOne(inboundMessageBodies.contacts!).value.contacts).toEqual([
      {
        formattedName: "Barbara J. Johnson",
        firstName: "Barbara",
        lastName: "Johnson",
        phones: [{ phone: "+1 (940) 555-1234", waId: "19405551234", type: "HOME" }],
        emails: [{ email: "bjohnson@example.com", type: "WORK" }],
      },
    ]);
    expect(parseOne(inboundMessageBodies.button!).value.button).toEqual({
      payload: "STOP_PROMOTIONS",
      text: "Stop promotions",
    });
    expect(parseOne(inboundMessageBodies.reaction!).value.reaction).toEqual({
      messageId: "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
      emoji: "\u{1F44D}",
    });
  });

  it("types interactive replies: buttons, lists and flows", () => {
    expect(parseOne(inboundMessageBodies.interactive_button_reply!).value.interactive).toEqual({
      type: "button_reply",
      buttonReply: { id: "cancel-order", title: "Cancel order" },
      listReply: null,
      nfmReply: null,
      callPermissionReply: null,
    });
    expect(parseOne(inboundMessageBodies.interactive_list_reply!).value.interactive?.listReply).toEqual({
      id: "priority_express",
      title: "Express",
      description: "Next day",
    });
    expect(parseOne(inboundMessageBodies.interactive_nfm_reply!).value.interactive?.nfmReply).toEqual({
      name: "flow",
      body: "Sent",
      responseJson: '{"flow_token":"AQAAAAACS5FpgQ_cAAAAAD0QI3s","rating":"5"}',
    });
  });

  it("types orders, context, referral and errors", () => {
    expect(parseOne(inboundMessageBodies.order!).value.order).toEqual({
      catalogId: "194836987003835",
      text: "Two please",
      productItems: [{ productRetailerId: "di9ozbzfi4", quantity: 2, itemPrice: 30, currency: "USD" }],
    });
    expect(parseOne(inboundMessageBodies.reply_with_context!).value.context).toMatchObject({
      from: DISPLAY_PHONE_NUMBER,
      id: "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
    });
    expect(parseOne(inboundMessageBodies.forwarded!).value.context).toMatchObject({
      forwarded: true,
      frequentlyForwarded: true,
    });
    expect(parseOne(inboundMessageBodies.referral!).value.referral).toMatchObject({
      sourceId: "120226305854810726",
      sourceType: "ad",
      ctwaClid: expect.stringMatching(/^ARAk/),
    });
    expect(parseOne(inboundMessageBodies.unsupported!).value.errors).toEqual([
      {
        code: 131051,
        title: "Message type unknown",
        message: "Message type unknown",
        details: "Message type is currently not supported.",
        href: null,
      },
    ]);
  });

  it("gives a redelivered message the same event id", () => {
    const id = wamid("dup");
    const a = parseDelivery(
      received(inboundDelivery({ id, timestamp: "1750263780", ...inboundMessageBodies.text })),
    ).inboundMessages[0]!;
    const b = parseDelivery({
      ...received(inboundDelivery({ id, timestamp: "1750263780", ...inboundMessageBodies.text })),
      requestId: "x",
    }).inboundMessages[0]!;
    expect(a.value.eventId).toBe(b.value.eventId);
  });
});

describe("parseDelivery: customer identifiers (phone number, BSUID, username)", () => {
  const onlyMessage = (payload: unknown) => {
    const parsed = parseDelivery(received(payload));
    expect(parsed.untyped).toEqual([]);
    expect(parsed.inboundMessages).toHaveLength(1);
    return parsed.inboundMessages[0]!;
  };

  it("keys a BSUID-only message by the BSUID and puts the BSUID in from, so that version-1 readers see a sender", () => {
    const id = wamid("bsuid-only");
    const message = onlyMessage(bsuidOnlyTextMessage({ id, parentUserId: CUSTOMER_PARENT_BSUID }));
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`);
    expect(message.value).toMatchObject({
      wamid: id,
      from: CUSTOMER_BSUID,
      fromWaId: null,
      fromUserId: CUSTOMER_BSUID,
      fromParentUserId: CUSTOMER_PARENT_BSUID,
      username: CUSTOMER_USERNAME,
      profileName: CUSTOMER_PROFILE_NAME,
      type: "text",
      text: { body: "Does it come in another color?" },
      system: null,
      edit: null,
      revoke: null,
    });
  });

  it("takes the BSUID and parent BSUID from the sender's contact when the message carries only them there", () => {
    const payload = bsuidOnlyTextMessage({ parentUserId: CUSTOMER_PARENT_BSUID });
    const value = (payload.entry as { changes: { value: { messages: Record<string, unknown>[] } }[] }[])[0]!
      .changes[0]!.value;
    delete value.messages[0]!.from_user_id;
    delete value.messages[0]!.from_parent_user_id;
    const message = onlyMessage(payload);
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`);
    expect(message.value).toMatchObject({
      from: CUSTOMER_BSUID,
      fromUserId: CUSTOMER_BSUID,
      fromParentUserId: CUSTOMER_PARENT_BSUID,
      username: CUSTOMER_USERNAME,
    });
  });

  it("keeps the phone number in from when Meta sends both, and keys by the BSUID", () => {
    const message = onlyMessage(bothIdentifiersTextMessage({ username: CUSTOMER_USERNAME }));
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`);
    expect(message.value).toMatchObject({
      from: CUSTOMER_WA_ID,
      fromWaId: CUSTOMER_WA_ID,
      fromUserId: CUSTOMER_BSUID,
      fromParentUserId: null,
      username: CUSTOMER_USERNAME,
      profileName: CUSTOMER_PROFILE_NAME,
    });
  });

  it("keys a phone-only message (before the BSUID rollout) by <phone_number_id>:<wa_id>, the new fields null", () => {
    const message = onlyMessage(phoneOnlyTextMessage());
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`);
    expect(message.value).toMatchObject({
      from: CUSTOMER_WA_ID,
      fromWaId: CUSTOMER_WA_ID,
      fromUserId: null,
      fromParentUserId: null,
      username: null,
      profileName: "Sheena Nelson",
      system: null,
      edit: null,
      revoke: null,
    });
  });

  it("reads a status's recipient_user_id and recipient_parent_user_id, with or without recipient_id", () => {
    const id = wamid("status-bsuid");
    const parsed = parseDelivery(
      received(
        statusWithUserId({
          wamid: id,
          status: "read",
          recipientId: null,
          parentUserId: CUSTOMER_PARENT_BSUID,
        }),
      ),
    );
    expect(parsed.untyped).toEqual([]);
    expect(parsed.statuses).toHaveLength(1);
    expect(parsed.statuses[0]!.key).toBe(id);
    expect(parsed.statuses[0]!.value).toMatchObject({
      wamid: id,
      status: "read",
      recipientId: null,
      recipientUserId: CUSTOMER_BSUID,
      recipientParentUserId: CUSTOMER_PARENT_BSUID,
    });
    const both = parseDelivery(received(statusWithUserId({ status: "delivered" }))).statuses[0]!;
    expect(both.value).toMatchObject({
      recipientId: CUSTOMER_WA_ID,
      recipientUserId: CUSTOMER_BSUID,
      recipientParentUserId: null,
    });
    const phoneOnly = parseDelivery(received(statusDelivery([statusObject(wamid(), "sent", 1750263773)])))
      .statuses[0]!;
    expect(phoneOnly.value).toMatchObject({ recipientUserId: null, recipientParentUserId: null });
  });

  it("types a user_changed_number notice, keyed by the BSUID the customer had before it", () => {
    const message = onlyMessage(
      userChangedNumber({
        parentUserId: CUSTOMER_PARENT_BSUID,
        newParentUserId: CUSTOMER_NEW_PARENT_BSUID,
      }),
    );
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`);
    expect(message.value).toMatchObject({
      type: "system",
      from: CUSTOMER_WA_ID,
      fromWaId: CUSTOMER_WA_ID,
      fromUserId: CUSTOMER_BSUID,
      system: {
        type: "user_changed_number",
        body: `User ${CUSTOMER_PROFILE_NAME} changed from ${CUSTOMER_WA_ID} to ${CUSTOMER_NEW_WA_ID}`,
        waId: CUSTOMER_NEW_WA_ID,
        userId: CUSTOMER_NEW_BSUID,
        parentUserId: CUSTOMER_NEW_PARENT_BSUID,
        previousUserId: CUSTOMER_BSUID,
        previousParentUserId: CUSTOMER_PARENT_BSUID,
      },
    });
  });

  it("reads a user_changed_number notice of the older shape (new_wa_id, no BSUIDs), keyed by the old number", () => {
    const payload = userChangedNumber({ newUserId: null });
    const system = (
      payload.entry as { changes: { value: { messages: { system: Record<string, unknown> }[] } }[] }[]
    )[0]!.changes[0]!.value.messages[0]!.system;
    system.new_wa_id = system.wa_id;
    delete system.wa_id;
    const message = onlyMessage(payload);
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`);
    expect(message.value).toMatchObject({ from: CUSTOMER_WA_ID, fromUserId: null });
    expect(message.value.system).toEqual({
      type: "user_changed_number",
      body: `User ${CUSTOMER_PROFILE_NAME} changed from ${CUSTOMER_WA_ID} to ${CUSTOMER_NEW_WA_ID}`,
      waId: CUSTOMER_NEW_WA_ID,
      userId: null,
      parentUserId: null,
      previousUserId: null,
      previousParentUserId: null,
    });
  });

  it("types a user_changed_user_id notice as Meta's reference shows it (no from, no contacts) by its previous BSUID", () => {
    const message = onlyMessage(
      userChangedUserId({
        oldParentUserId: CUSTOMER_PARENT_BSUID,
        newParentUserId: CUSTOMER_NEW_PARENT_BSUID,
      }),
    );
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`);
    expect(message.value).toMatchObject({
      type: "system",
      from: CUSTOMER_BSUID,
      fromWaId: null,
      fromUserId: CUSTOMER_BSUID,
      profileName: null,
      system: {
        type: "user_changed_user_id",
        waId: null,
        userId: CUSTOMER_NEW_BSUID,
        parentUserId: CUSTOMER_NEW_PARENT_BSUID,
        previousUserId: CUSTOMER_BSUID,
        previousParentUserId: CUSTOMER_PARENT_BSUID,
      },
    });
  });

  it("prefers the message's own from_user_id on a user_changed_user_id notice", () => {
    const message = onlyMessage(userChangedUserId({ fromUserId: CUSTOMER_NEW_BSUID }));
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_NEW_BSUID}`);
    expect(message.value).toMatchObject({ from: CUSTOMER_NEW_BSUID, fromUserId: CUSTOMER_NEW_BSUID });
    expect(message.value.system).toMatchObject({ previousUserId: CUSTOMER_BSUID });
  });

  it("types an edit: the original message's wamid and the new content as Meta sent it", () => {
    const original = wamid("original-text");
    const message = onlyMessage(editMessage({ originalMessageId: original, body: "Does it come in blue?" }));
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`);
    expect(message.value).toMatchObject({ type: "edit", from: CUSTOMER_WA_ID, revoke: null });
    expect(message.value.edit?.originalMessageId).toBe(original);
    expect(JSON.parse(message.value.edit!.messageJson!)).toEqual({
      type: "text",
      text: { body: "Does it come in blue?" },
    });
    const caption = onlyMessage(
      editMessage({ media: { type: "image", caption: "Updated image caption" }, from: null }),
    );
    expect(caption.value).toMatchObject({ from: CUSTOMER_BSUID, fromWaId: null });
    expect(JSON.parse(caption.value.edit!.messageJson!)).toMatchObject({
      type: "image",
      image: { caption: "Updated image caption" },
    });
  });

  it("types a revoke: the withdrawn message's wamid", () => {
    const original = wamid("withdrawn");
    const message = onlyMessage(revokeMessage({ originalMessageId: original }));
    expect(message.value).toMatchObject({
      type: "revoke",
      revoke: { originalMessageId: original },
      edit: null,
      system: null,
    });
  });
});

describe("parseDelivery: objects that become no typed event", () => {
  const where = "entry[0].changes[0].value";

  it("types the good message and the unknown type, names the others, and keeps the change's value", () => {
    const goodId = wamid("good-one");
    const hologramId = wamid("hologram-one");
    const payload = untypedObjects({ goodId, hologramId });
    const parsed = parseDelivery(received(payload));
    expect(parsed.inboundMessages.map(({ value }) => [value.wamid, value.type])).toEqual([
      [hologramId, "hologram"],
      [goodId, "text"],
    ]);
    expect(JSON.parse(parsed.inboundMessages[0]!.value.messageJson)).toMatchObject({
      hologram: { projection_id: "holo-7781" },
      spatial_anchor: { lat: 37.483307 },
    });
    expect(parsed.statuses).toEqual([]);
    expect(parsed.untyped).toEqual([
      { field: "statuses", reason: "missing_id", detail: `${where}.statuses[0]` },
      { field: "messages", reason: "missing_id", detail: `${where}.messages[0]` },
      { field: "messages", reason: "missing_timestamp", detail: `${where}.messages[1]` },
    ]);
    expect(parsed.raw.value).toMatchObject({
      shapeRecognized: true,
      statusCount: 0,
      inboundCount: 2,
      businessEventCount: 1,
      untypedCount: 3,
      problem:
        `3 object(s) became no typed event: ${where}.statuses[0] missing_id; ` +
        `${where}.messages[0] missing_id; ${where}.messages[1] missing_timestamp`,
    });
    expect(parsed.businessEvents).toHaveLength(1);
    expect(parsed.businessEvents[0]!.key).toBe(WABA_ID);
    expect(parsed.businessEvents[0]!.value.field).toBe("messages");
    const change = (payload.entry as { changes: { value: unknown }[] }[])[0]!.changes[0]!;
    expect(JSON.parse(parsed.businessEvents[0]!.value.valueJson)).toEqual(change.value);
  });

  it("names a key of a messages change's value it does not know, and keeps the value as a business event", () => {
    const id = wamid("with-insights");
    const parsed = parseDelivery(received(unknownValueField({ id })));
    expect(parsed.inboundMessages.map(({ value }) => value.wamid)).toEqual([id]);
    expect(parsed.untyped).toEqual([
      { field: "value", reason: "unknown_key", detail: `${where}.conversation_insights` },
    ]);
    expect(parsed.raw.value).toMatchObject({
      untypedCount: 1,
      problem: `1 object(s) became no typed event: ${where}.conversation_insights unknown_key`,
    });
    expect(parsed.businessEvents.map(({ value }) => value.field)).toEqual(["messages"]);
    expect(JSON.parse(parsed.businessEvents[0]!.value.valueJson)).toMatchObject({
      conversation_insights: { sentiment: "curious" },
    });
  });

  it("names a message or status that is not an object, and a sender it cannot find", () => {
    const parsed = parseDelivery(
      received(
        envelope([
          messagesChange({
            statuses: ["not a status"],
            messages: [42, { id: wamid(), timestamp: "1750263780", type: "text", text: { body: "who?" } }],
          }),
        ]),
      ),
    );
    expect(parsed.untyped.map(({ reason, detail }) => `${detail} ${reason}`)).toEqual([
      `${where}.statuses[0] not_an_object`,
      `${where}.messages[0] not_an_object`,
      `${where}.messages[1] missing_sender`,
    ]);
  });

  it("reports nothing for a delivery whose every object is typed", () => {
    const parsed = parseDelivery(received(statusDelivery([statusObject(wamid(), "sent", 1750263773)])));
    expect(parsed.untyped).toEqual([]);
    expect(parsed.raw.value).toMatchObject({ untypedCount: 0, problem: null });
    expect(parsed.businessEvents).toEqual([]);
  });

  it("bounds the raw record's problem at 20 objects named", () => {
    const untyped = Array.from({ length: 23 }, (_, index) => ({
      field: "messages" as const,
      reason: "missing_id" as const,
      detail: `${where}.messages[${index}]`,
    }));
    const problem = describeUntyped(untyped);
    expect(problem).toMatch(/^23 object\(s\) became no typed event: /);
    expect(problem).toContain(`${where}.messages[19] missing_id; and 3 more`);
    expect(problem).not.toContain("messages[20]");
  });
});

describe("parseDelivery: other fields and mixed deliveries", () => {
  it.each(otherFieldChanges.map((change) => [change.field, change] as const))(
    "turns a %s change into a business event keyed by WABA id",
    (field, change) => {
      const parsed = parseDelivery(received(envelope([change])));
      expect(parsed.businessEvents).toHaveLength(1);
      expect(parsed.businessEvents[0]!.key).toBe(WABA_ID);
      expect(parsed.businessEvents[0]!.value).toMatchObject({
        field,
        wabaId: WABA_ID,
        receivedAt: 1750263780000,
      });
      expect(JSON.parse(parsed.businessEvents[0]!.value.valueJson)).toEqual(change.value);
      expect(parsed.statuses).toHaveLength(0);
    },
  );

  it("splits a batched delivery with several entries and changes", () => {
    const payload = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: WABA_ID,
          changes: [
            messagesChange({
              statuses: [statusObject(wamid(), "sent", 1), statusObject(wamid(), "read", 2)],
            }),
          ],
        },
        {
          id: "999",
          changes: [
            otherFieldChanges[0]!,
            messagesChange({
              messages: [{ from: "1", id: wamid(), timestamp: "3", ...inboundMessageBodies.text }],
            }),
          ],
        },
      ],
    };
    const parsed = parseDelivery(received(payload));
    expect(parsed.statuses).toHaveLength(2);
    expect(parsed.inboundMessages).toHaveLength(1);
    expect(parsed.inboundMessages[0]!.value.wabaId).toBe("999");
    expect(parsed.businessEvents).toHaveLength(1);
    expect(parsed.raw.key).toBe(WABA_ID);
    expect(parsed.raw.value).toMatchObject({
      wabaId: WABA_ID,
      statusCount: 2,
      inboundCount: 1,
      businessEventCount: 1,
    });
  });

  it("keeps a messages change with value-level errors as a business event", () => {
    const change = messagesChange({ errors: [{ code: 131000, title: "Something went wrong" }] });
    const parsed = parseDelivery(received(envelope([change])));
    expect(parsed.businessEvents.map((e) => e.value.field)).toEqual(["messages"]);
  });

  it("keeps a status it cannot read (no id) whole, as a business event", () => {
    const parsed = parseDelivery(received(statusDelivery([{ status: "sent", timestamp: "1" }])));
    expect(parsed.statuses).toHaveLength(0);
    expect(parsed.businessEvents).toHaveLength(1);
  });
});

describe("parseDelivery: bodies Meta signed that we cannot read", () => {
  it("flags a body that is not JSON and keys it by request id", () => {
    const parsed = parseDelivery(received('{"object":"whatsapp_business_account","entry":[{'));
    expect(parsed.raw.key).toBe("3f1c2d4e-0000-4000-8000-000000000001");
    expect(parsed.raw.value).toMatchObject({ jsonParsed: false, shapeRecognized: false, wabaId: null });
    expect(parsed.raw.value.problem).toMatch(/not JSON/);
    expect(parsed.raw.value.body.toString()).toBe('{"object":"whatsapp_business_account","entry":[{');
    expect([...parsed.statuses, ...parsed.inboundMessages, ...parsed.businessEvents]).toEqual([]);
  });

  it.each([["[]"], ['"text"'], ['{"object":"page"}'], ["null"]])(
    "flags JSON of an unknown shape: %s",
    (body) => {
      const parsed = parseDelivery(received(body));
      expect(parsed.raw.value).toMatchObject({ jsonParsed: true, shapeRecognized: false });
      expect(parsed.raw.value.problem).toMatch(/entry/);
    },
  );

  // JSON.parse reads any depth; JSON.stringify, which keeps a status or a change value whole, does not.
  const nested = "[".repeat(10_000) + "]".repeat(10_000);
  const withNested = (payload: unknown) => JSON.stringify(payload).replace('"NESTED"', nested);

  it.each([
    ["a status", statusDelivery([{ ...statusObject(wamid("deep"), "sent", 1750263774), deep: "NESTED" }])],
    ["a change value", envelope([{ field: "account_update", value: { deep: "NESTED" } }])],
  ])(
    "keeps the raw record, flagged, when arrays nested 10,000 deep inside %s defeat the events",
    (_, payload) => {
      const body = withNested(payload);
      const parsed = parseDelivery(received(body));
      expect(parsed.raw.value).toMatchObject({
        jsonParsed: true,
        shapeRecognized: false,
        statusCount: 0,
        inboundCount: 0,
        businessEventCount: 0,
      });
      expect(parsed.raw.value.problem).toMatch(
        /^events could not be derived: Maximum call stack size exceeded/,
      );
      expect(parsed.raw.value.body.toString()).toBe(body);
      expect([...parsed.statuses, ...parsed.inboundMessages, ...parsed.businessEvents]).toEqual([]);
    },
  );
});

describe("withoutDerivedEvents", () => {
  it("keeps the raw record only, flagged with the problem, under the same key", () => {
    const parsed = parseDelivery(received(statusDelivery([statusObject(wamid("w"), "read", 1750263774)])));
    const flagged = withoutDerivedEvents(parsed, "records could not be encoded: bad long");
    expect(flagged.raw.key).toBe(parsed.raw.key);
    expect(flagged.raw.value).toEqual({
      ...parsed.raw.value,
      shapeRecognized: false,
      problem: "records could not be encoded: bad long",
      statusCount: 0,
      inboundCount: 0,
      businessEventCount: 0,
    });
    expect([...flagged.statuses, ...flagged.inboundMessages, ...flagged.businessEvents]).toEqual([]);
  });

  it("drops every derived part and zeroes every count, the customer-channel ones included", () => {
    const parsed = parseDelivery(received(groupStatuses));
    const { raw, untyped, phoneNumberId, ...parts } = withoutDerivedEvents(parsed, "bad");
    expect(Object.values(parts).every((events) => events.length === 0)).toBe(true);
    expect(Object.keys(parts)).toHaveLength(10);
    const counts = Object.entries(raw.value).filter(
      ([name]) => name.endsWith("Count") && name !== "untypedCount",
    );
    expect(counts.every(([, count]) => count === 0)).toBe(true);
    expect([untyped, phoneNumberId]).toEqual([parsed.untyped, parsed.phoneNumberId]);
  });
});

describe("parseDelivery: group statuses", () => {
  it("gives each participant's status of one group message at the same second an event of its own", () => {
    const parsed = parseDelivery(received(groupStatuses));
    expect(parsed.untyped).toEqual([]);
    expect(parsed.statuses.map(({ key, value }) => [key, value.recipientId, value.recipientType])).toEqual(
      GROUP_PARTICIPANTS.map(() => [GROUP_MESSAGE_ID, GROUP_ID, "group"]),
    );
    expect(parsed.statuses.map(({ value }) => value.eventId)).toEqual(
      GROUP_PARTICIPANTS.map((participant) =>
        groupStatusEventId(GROUP_MESSAGE_ID, "read", 1781440300000, participant.id ?? participant.userId),
      ),
    );
    expect(new Set(parsed.statuses.map(({ value }) => value.eventId)).size).toBe(3);
    expect(parsed.statuses[2]!.value).toMatchObject({
      recipientParticipantId: null,
      recipientParticipantUserId: GROUP_PARTICIPANTS[2]!.userId,
    });
  });

  it("keeps every one-to-one status id as it was, recipient_type individual or absent", () => {
    const id = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";
    for (const extra of [{}, { recipient_type: "individual" }]) {
      const parsed = parseDelivery(
        received(statusDelivery([statusObject(id, "delivered", 1750263773, extra)])),
      );
      // Known answer computed with Python's hashlib, as before group statuses existed.
      expect(parsed.statuses[0]!.value.eventId).toBe(
        "b450f86c591771f5875142d52439b34413d11b21bfda1c0d7a4eefa080234945",
      );
    }
  });
});

describe("event ids: the formula docs/topics.md states", () => {
  // Known answers computed with Python's hashlib: sha256 of the parts joined by U+0000, as hex.
  it.each([
    [
      "a status",
      () => statusEventId("wamid.HBgL", "delivered", 1750263773000),
      "0124bdd7c42709864c7c6082dd1b2cee09b5a8b9a241caf9052c63e595d71376",
    ],
    [
      "a group message's status for one participant",
      () =>
        groupStatusEventId(
          "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
          "read",
          1750263773000,
          "16505551234",
        ),
      "97a0985d036db086dbe722f44f6446d3ffe314d9efca73df6f34bb77e4c0782d",
    ],
    [
      "an inbound message",
      () => inboundEventId("wamid.HBgL"),
      "1cd54935261aa4ac0728df00d94e1a444d39a2b97135bc650cb52c5c573e21da",
    ],
    [
      "a business event",
      () => businessEventId("102290129340398", "account_update", '{"event":"VERIFIED_ACCOUNT"}'),
      "fef99b6b25f13207d2cd6294f89158bd0a6b4c6c5b372f5517b3ab62eaec7606",
    ],
  ])("is %s's known answer", (_name, compute, expected) => {
    expect(compute()).toBe(expected);
  });
});
