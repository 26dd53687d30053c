import type { RawWebhookDelivery } from "../../contracts/generated/types";
import {
  CUSTOMER_WA_ID,
  envelope,
  messagesChange,
  otherFieldChanges,
  statusObject,
  wamid,
  WABA_ID,
} from "../../tests/fixtures/meta-webhooks";
import { parseDelivery } from "../domain/delivery-parser";
import { eventCount, receivedDeliveryOf, rederive, rederivedTopics } from "./raw-rederivation";

const received = (body: unknown, requestId = "request-1") => ({
  requestId,
  receivedAt: 1_750_264_000_000,
  body: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
  signatureHeader: "sha256=00",
  contentType: "application/json",
});

/** The raw record as an ingress whose parser derived nothing from the body would have written it. */
const rawRecordWithoutEvents = (delivery: ReturnType<typeof received>): RawWebhookDelivery => ({
  ...parseDelivery(delivery).raw.value,
  statusCount: 0,
  inboundCount: 0,
  businessEventCount: 0,
  templateEventCount: 0,
  accountEventCount: 0,
  businessAppMessageCount: 0,
  callEventCount: 0,
  groupEventCount: 0,
  userPreferenceCount: 0,
  paymentStatusCount: 0,
});

describe("rederive", () => {
  const body = envelope([
    messagesChange({ statuses: [statusObject(wamid("out"), "read", 1750264100)] }),
    messagesChange({
      contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: CUSTOMER_WA_ID }],
      messages: [
        {
          from: CUSTOMER_WA_ID,
          id: wamid("in"),
          timestamp: "1750264101",
          type: "text",
          text: { body: "hi" },
        },
      ],
    }),
    otherFieldChanges[0]!,
  ]);

  it("rebuilds the delivery as received, so every event comes out as the ingress published it", () => {
    const delivery = received(body);
    const raw = parseDelivery(delivery).raw.value;
    expect(receivedDeliveryOf(raw)).toEqual(delivery);
    const rederivation = rederive(raw);
    if (rederivation.kind !== "derived") throw new Error("expected events");
    const { raw: _raw, ...events } = parseDelivery(delivery);
    const { raw: _again, ...again } = rederivation.delivery;
    expect(again).toEqual(events);
    expect(Object.fromEntries(rederivation.events)).toEqual({
      messageStatus: 1,
      inboundMessage: 1,
      businessEvent: 1,
      templateEvent: 1,
      accountEvent: 0,
      businessAppMessage: 0,
      callEvent: 0,
      groupEvent: 0,
      userPreference: 0,
      paymentStatus: 0,
    });
    expect(rederivation.eventsAtReceipt).toBe(4);
  });

  it("counts what the parser of the day did not derive, from the raw record's counts", () => {
    const rederivation = rederive(rawRecordWithoutEvents(received(body)));
    if (rederivation.kind !== "derived") throw new Error("expected events");
    expect(eventCount(rederivation.events)).toBe(4);
    expect(rederivation.eventsAtReceipt).toBe(0);
    expect(rederivation.delivery.inboundMessages[0]?.value.rawEventId).toBe("request-1");
  });

  it("reads the counts of a raw record written before the template and account counts existed", () => {
    const {
      templateEventCount: _template,
      accountEventCount: _account,
      ...version2
    } = parseDelivery(received(body)).raw.value;
    const rederivation = rederive(version2 as RawWebhookDelivery);
    if (rederivation.kind !== "derived") throw new Error("expected events");
    expect(rederivation.eventsAtReceipt).toBe(3);
    expect(eventCount(rederivation.events)).toBe(4);
  });

  it("skips a body that is not JSON and an empty record", () => {
    const notJson = parseDelivery(received(Buffer.from("{not json"))).raw.value;
    expect(notJson.jsonParsed).toBe(false);
    expect(rederive(notJson)).toEqual({ kind: "skipped", reason: "notJson" });
    expect(rederive(null)).toEqual({ kind: "skipped", reason: "empty" });
  });

  it("derives nothing from JSON of another shape, and writes every delivery topic but the raw one", () => {
    const rederivation = rederive(parseDelivery(received({ hello: WABA_ID })).raw.value);
    expect(rederivation.kind).toBe("derived");
    if (rederivation.kind === "derived") expect(eventCount(rederivation.events)).toBe(0);
    expect(rederivedTopics).toEqual([
      "messageStatus",
      "inboundMessage",
      "businessEvent",
      "templateEvent",
      "accountEvent",
      "businessAppMessage",
      "callEvent",
      "groupEvent",
      "userPreference",
      "paymentStatus",
    ]);
  });
});
