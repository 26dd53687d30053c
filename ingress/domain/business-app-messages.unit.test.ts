import {
  BSUID_ONLY_CUSTOMER,
  BSUID_ONLY_USERNAME,
  ECHO_TEXT_ID,
  echoes,
  history,
  historyChunk,
  historyMessage,
  historyWamid,
  largeHistoryChunk,
} from "../../tests/fixtures/customer-channel-webhooks";
import { CUSTOMER_BSUID, CUSTOMER_PROFILE_NAME } from "../../tests/fixtures/identity-webhooks";
import { parsedBody } from "../../tests/fixtures/inbound-events";
import {
  CUSTOMER_WA_ID,
  DISPLAY_PHONE_NUMBER,
  PHONE_NUMBER_ID,
  WABA_ID,
  envelope,
  metadata,
} from "../../tests/fixtures/meta-webhooks";
import { sha256Hex } from "./event-ids";

const messagesOf = (body: unknown) => {
  const parsed = parsedBody(body);
  expect(parsed.untyped).toEqual([]);
  expect(parsed.raw.value.businessAppMessageCount).toBe(parsed.businessAppMessages.length);
  return parsed.businessAppMessages;
};
const onlyMessage = (body: unknown) => {
  const messages = messagesOf(body);
  expect(messages).toHaveLength(1);
  return messages[0]!;
};

describe("business app echoes (smb_message_echoes)", () => {
  it("types an echo as an outbound message to its customer, keyed like inbound messages, kept raw too", () => {
    const parsed = parsedBody(echoes.text);
    const { key, value } = parsed.businessAppMessages[0]!;
    expect(key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`);
    expect(value).toMatchObject({
      eventId: sha256Hex("business-app", "echo", ECHO_TEXT_ID),
      rawEventId: "raw-1",
      source: "echo",
      direction: "outbound",
      wamid: ECHO_TEXT_ID,
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: DISPLAY_PHONE_NUMBER,
      wabaId: WABA_ID,
      timestamp: 1781439300000,
      type: "text",
      customerWaId: CUSTOMER_WA_ID,
      customerUserId: CUSTOMER_BSUID,
      profileName: CUSTOMER_PROFILE_NAME,
      text: { body: "Your table for four is booked for 8 pm." },
      history: null,
    });
    expect(JSON.parse(value.messageJson)).toMatchObject({ id: ECHO_TEXT_ID, to: CUSTOMER_WA_ID });
    expect(parsed.businessEvents.map(({ value }) => value.field)).toEqual(["smb_message_echoes"]);
  });

  it("keys an echo to a customer without a phone number by their BSUID", () => {
    const { key, value } = onlyMessage(echoes.bsuidOnly);
    expect(key).toBe(`${PHONE_NUMBER_ID}:${BSUID_ONLY_CUSTOMER}`);
    expect(value).toMatchObject({
      customerWaId: null,
      customerUserId: BSUID_ONLY_CUSTOMER,
      customerParentUserId: "US.ENT.17720365410928374600",
      username: BSUID_ONLY_USERNAME,
    });
  });

  it("types media, edits and revokes as the inbound topic does", () => {
    expect(onlyMessage(echoes.image).value.image).toMatchObject({
      id: "1225063025781234",
      mimeType: "image/jpeg",
      caption: "The terrace tonight",
    });
    const edit = onlyMessage(echoes.edit).value;
    expect(edit).toMatchObject({ type: "edit", edit: { originalMessageId: ECHO_TEXT_ID } });
    expect(JSON.parse(edit.edit!.messageJson!)).toEqual({
      type: "text",
      text: { body: "Your table for four is booked for 8:30 pm." },
    });
    expect(onlyMessage(echoes.revoke).value).toMatchObject({
      type: "revoke",
      revoke: { originalMessageId: ECHO_TEXT_ID },
      edit: null,
    });
  });
});

describe("history", () => {
  it("types each thread's messages, inbound or outbound by who sent them, with the chunk's place", () => {
    const messages = messagesOf(history.chunk1).map(({ key, value }) => ({ key, ...value }));
    expect(messages).toMatchObject([
      {
        key: `${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`,
        source: "history",
        direction: "inbound",
        wamid: historyWamid("a1"),
        customerWaId: CUSTOMER_WA_ID,
        customerUserId: CUSTOMER_BSUID,
        text: { body: "Do you deliver on Sundays?" },
        history: { phase: 1, chunkOrder: 1, progress: 40, status: "READ" },
      },
      { direction: "outbound", customerWaId: CUSTOMER_WA_ID, text: { body: "Yes, from 9 to 1." } },
      { direction: "outbound", type: "media_placeholder", history: { status: "PLAYED" } },
    ]);
    // The thread names the customer by phone number; outbound messages carry no BSUID of theirs.
    expect(messages[1]!.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`);
  });

  it("reads a thread named by BSUID as a customer without a phone number", () => {
    expect(
      messagesOf(history.chunk2).map(({ key, value }) => [key, value.direction, value.customerWaId]),
    ).toEqual([
      [`${PHONE_NUMBER_ID}:${BSUID_ONLY_CUSTOMER}`, "inbound", null],
      [`${PHONE_NUMBER_ID}:${BSUID_ONLY_CUSTOMER}`, "outbound", null],
    ]);
  });

  it("gives the same ids to chunks delivered out of order and again", () => {
    const ids = (bodies: unknown[]) =>
      bodies.flatMap((body) => messagesOf(body).map(({ value }) => value.eventId)).sort();
    const inOrder = ids([history.chunk1, history.chunk2]);
    expect(ids([history.chunk2, history.chunk1, history.chunk2])).toEqual(
      [...inOrder, ...ids([history.chunk2])].sort(),
    );
    expect(new Set(inOrder).size).toBe(5);
  });

  it("types the later media delivery (messages[] instead of history[]) as history_media of the same wamid", () => {
    const { key, value } = onlyMessage(history.media);
    const placeholder = messagesOf(history.chunk1)[2]!.value;
    expect(key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`);
    expect(value).toMatchObject({
      source: "history_media",
      direction: "outbound",
      wamid: placeholder.wamid,
      type: "image",
      image: { id: "1876523409812376", caption: "Sunday delivery slots" },
      history: { phase: null, chunkOrder: null, progress: null, status: "PLAYED" },
    });
    expect(value.eventId).not.toBe(placeholder.eventId);
  });

  it("keeps a declined history sync raw only: no message, nothing untyped", () => {
    const parsed = parsedBody(history.declined);
    expect(parsed.businessAppMessages).toEqual([]);
    expect(parsed.untyped).toEqual([]);
    expect(parsed.businessEvents.map(({ value }) => value.field)).toEqual(["history"]);
  });

  it("types a chunk of 5,000 messages, one event each, every id distinct", () => {
    const parsed = parsedBody(largeHistoryChunk(5_000));
    expect(parsed.untyped).toEqual([]);
    expect(parsed.businessAppMessages).toHaveLength(5_000);
    expect(new Set(parsed.businessAppMessages.map(({ value }) => value.eventId)).size).toBe(5_000);
    expect(parsed.businessAppMessages.filter(({ value }) => value.direction === "inbound")).toHaveLength(
      2_500,
    );
    expect(parsed.raw.value).toMatchObject({ businessAppMessageCount: 5_000, businessEventCount: 1 });
  });
});

describe("business app messages that cannot be typed", () => {
  const where = "entry[0].changes[0].value";
  const parse = (field: string, value: Record<string, unknown>) =>
    parsedBody(envelope([{ field, value: { messaging_product: "whatsapp", metadata, ...value } }]));

  it("reports a message without id, customer or time, and types its neighbours", () => {
    const parsed = parse("smb_message_echoes", {
      message_echoes: [
        { from: DISPLAY_PHONE_NUMBER, to: CUSTOMER_WA_ID, timestamp: "1781438400", type: "text" },
        { from: DISPLAY_PHONE_NUMBER, id: "wamid.no-customer", timestamp: "1781438400", type: "text" },
        { from: DISPLAY_PHONE_NUMBER, to: CUSTOMER_WA_ID, id: "wamid.no-time", type: "text" },
        "not an object",
      ],
    });
    expect(parsed.untyped).toEqual([
      { field: "smb_message_echoes", reason: "missing_id", detail: `${where}.message_echoes[0]` },
      { field: "smb_message_echoes", reason: "missing_customer", detail: `${where}.message_echoes[1]` },
      { field: "smb_message_echoes", reason: "missing_timestamp", detail: `${where}.message_echoes[2]` },
      { field: "smb_message_echoes", reason: "not_an_object", detail: `${where}.message_echoes[3]` },
    ]);
    expect(parsed.businessAppMessages).toEqual([]);
    expect(parsed.businessEvents).toHaveLength(1);
  });

  it("reports a change without messages, a chunk of the wrong shape and a value without metadata", () => {
    expect(parse("smb_message_echoes", {}).untyped).toEqual([
      { field: "smb_message_echoes", reason: "missing_items", detail: `${where}.message_echoes` },
    ]);
    const wrongPhase = historyChunk({ phase: 1, chunkOrder: 1, progress: 10 }, [
      { id: CUSTOMER_WA_ID, messages: [historyMessage("x", 0, { from: CUSTOMER_WA_ID }, { type: "text" })] },
    ]);
    const chunk = (wrongPhase.entry as { changes: { value: { history: { metadata: object }[] } }[] }[])[0]!
      .changes[0]!.value.history[0]!;
    chunk.metadata = { phase: "early", chunk_order: 1, progress: 10 };
    expect(parsedBody(wrongPhase).untyped).toEqual([
      { field: "history", reason: "wrong_type", detail: `${where}.history[0].metadata.phase` },
    ]);
    const noMetadata = parsedBody(
      envelope([
        { field: "smb_message_echoes", value: { message_echoes: [{ id: "wamid.x", to: CUSTOMER_WA_ID }] } },
      ]),
    );
    expect(noMetadata.untyped).toEqual([
      { field: "smb_message_echoes", reason: "missing_phone_number_id", detail: `${where}.metadata` },
    ]);
    expect(noMetadata.businessEvents).toHaveLength(1);
  });
});
