import {
  BSUID_ONLY_CUSTOMER,
  BUSINESS_CALL_ID,
  CALL_ID,
  SIP_CALL_ID,
  calls,
} from "../../tests/fixtures/customer-channel-webhooks";
import {
  CUSTOMER_BSUID,
  CUSTOMER_PARENT_BSUID,
  CUSTOMER_PROFILE_NAME,
  CUSTOMER_USERNAME,
} from "../../tests/fixtures/identity-webhooks";
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

const callEventsOf = (body: unknown) => {
  const parsed = parsedBody(body);
  expect(parsed.untyped).toEqual([]);
  expect(parsed.businessEvents.map(({ value }) => value.field)).toEqual(["calls"]);
  expect(parsed.raw.value.callEventCount).toBe(parsed.callEvents.length);
  return parsed.callEvents;
};

describe("call events", () => {
  it("types a user-initiated connect, keyed by call id, the customer on the caller's side", () => {
    const [event] = callEventsOf(calls.userInitiatedConnect);
    expect(event!.key).toBe(CALL_ID);
    expect(event!.value).toMatchObject({
      eventId: sha256Hex("call", CALL_ID, "connect", "", "1781438400000"),
      rawEventId: "raw-1",
      callId: CALL_ID,
      event: "connect",
      direction: "USER_INITIATED",
      status: null,
      timestamp: 1781438400000,
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: DISPLAY_PHONE_NUMBER,
      wabaId: WABA_ID,
      from: CUSTOMER_WA_ID,
      to: DISPLAY_PHONE_NUMBER,
      customerWaId: CUSTOMER_WA_ID,
      customerUserId: CUSTOMER_BSUID,
      customerParentUserId: CUSTOMER_PARENT_BSUID,
      username: CUSTOMER_USERNAME,
      profileName: CUSTOMER_PROFILE_NAME,
      sdpType: "offer",
      recording: null,
      errors: [],
    });
    // The SDP is only in callJson.
    expect(JSON.parse(event!.value.callJson)).toMatchObject({ session: { sdp_type: "offer" } });
  });

  it("types an answered call's end with its times and duration", () => {
    expect(callEventsOf(calls.userInitiatedTerminate)[0]!.value).toMatchObject({
      event: "terminate",
      status: "COMPLETED",
      startTime: 1781438405000,
      endTime: 1781438525000,
      durationSeconds: 120,
    });
  });

  it("types a business-initiated call to a BSUID-only customer: the customer on the callee's side", () => {
    expect(callEventsOf(calls.businessInitiatedConnect)[0]!.value).toMatchObject({
      direction: "BUSINESS_INITIATED",
      from: DISPLAY_PHONE_NUMBER,
      to: null,
      customerWaId: null,
      customerUserId: BSUID_ONLY_CUSTOMER,
      bizOpaqueCallbackData: "campaign-june-callback",
      sdpType: "answer",
    });
  });

  it("types each call status as event status, the recipient as the customer", () => {
    const statuses = callEventsOf(calls.businessInitiatedStatuses);
    expect(statuses.map(({ key, value }) => [key, value.event, value.status, value.customerUserId])).toEqual([
      [BUSINESS_CALL_ID, "status", "RINGING", BSUID_ONLY_CUSTOMER],
      [BUSINESS_CALL_ID, "status", "REJECTED", BSUID_ONLY_CUSTOMER],
    ]);
    expect(statuses[0]!.value.eventId).toBe(
      sha256Hex("call", BUSINESS_CALL_ID, "status", "RINGING", "1781438701000"),
    );
  });

  it("gives a failed terminate the errors Meta sent at the value's level", () => {
    expect(callEventsOf(calls.businessInitiatedTerminateFailed)[0]!.value).toMatchObject({
      status: "FAILED",
      startTime: null,
      durationSeconds: null,
      errors: [{ code: 138002, title: "Call rejected", details: "The WhatsApp user rejected the call." }],
    });
  });

  it("types a SIP call's creation and the recording and transcript downloads", () => {
    expect(callEventsOf(calls.sipCallCreated)[0]!.value).toMatchObject({
      callId: SIP_CALL_ID,
      event: "call_created",
      sdpType: null,
    });
    expect(callEventsOf(calls.recordingAvailable)[0]!.value.recording).toEqual({
      id: "1571204630856931",
      sha256: "8Yt2n4d7b0d1Z5Lq2bQjYkq0y7mF3xW1a9vCz6sN8eM=",
      mimeType: "audio/ogg",
      url: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1571204630856931&ext=1781438600",
    });
    expect(callEventsOf(calls.transcriptionAvailable)[0]!.value.transcript).toMatchObject({
      id: "1108422367745120",
      mimeType: "application/json",
    });
  });

  it("types a call permission reply on the inbound topic", () => {
    const parsed = parsedBody(calls.permissionReply);
    expect(parsed.callEvents).toEqual([]);
    expect(parsed.inboundMessages[0]!.value.interactive).toEqual({
      type: "call_permission_reply",
      buttonReply: null,
      listReply: null,
      nfmReply: null,
      callPermissionReply: {
        response: "accept",
        isPermanent: false,
        expirationTimestamp: 1782043900000,
        responseSource: "user_action",
      },
    });
  });

  it("reports items without id, event or timestamp, and a change with neither calls nor statuses", () => {
    const where = "entry[0].changes[0].value";
    const parsed = parsedBody(
      envelope([
        {
          field: "calls",
          value: {
            metadata,
            calls: [
              { event: "connect", timestamp: "1781438400" },
              { id: CALL_ID, timestamp: "1781438400" },
              { id: CALL_ID, event: "connect" },
              { id: CALL_ID, event: "connect", timestamp: "1781438400", duration: "two minutes" },
            ],
            statuses: [{ id: CALL_ID, timestamp: "1781438400" }],
          },
        },
        { field: "calls", value: { metadata } },
      ]),
    );
    expect(parsed.untyped.map(({ reason, detail }) => [reason, detail])).toEqual([
      ["missing_id", `${where}.calls[0]`],
      ["missing_event", `${where}.calls[1]`],
      ["missing_timestamp", `${where}.calls[2]`],
      ["wrong_type", `${where}.calls[3].duration`],
      ["missing_status", `${where}.statuses[0]`],
      ["missing_items", "entry[0].changes[1].value.calls"],
    ]);
    expect(parsed.callEvents).toEqual([]);
    expect(parsed.businessEvents).toHaveLength(2);
  });
});
