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
import { parseDelivery, statusEventId, withoutDerivedEvents, type ReceivedDelivery } from "./delivery-parser";

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
});
