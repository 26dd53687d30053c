import type { CallEvent } from "../../../contracts/generated/types";
import {
  answeredCall,
  CALL_ID,
  callConnect,
  callEvent,
  callRecording,
  callStatus,
  callTerminate,
  callTranscript,
} from "../../../tests/fixtures/call-events";
import { CUSTOMER_BSUID, CUSTOMER_PARENT_BSUID } from "../../../tests/fixtures/identity-webhooks";
import { CUSTOMER_WA_ID, PHONE_NUMBER_ID, WABA_ID } from "../../../tests/fixtures/meta-webhooks";
import { permutations } from "../../../tests/support/orders";
import { evolveCall, type CallDocument } from "./call-document";

const fold = (events: readonly CallEvent[]): CallDocument =>
  events.reduce<CallDocument | null>((doc, event) => evolveCall(doc, event), null)!;
const expectSameInEveryOrder = (events: CallEvent[]): CallDocument => {
  const expected = fold(events);
  for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
  return expected;
};
const at = (seconds: number) => new Date(seconds * 1000);

describe("evolveCall", () => {
  it("folds a business-initiated call answered, ended, recorded and transcribed into one document, in every order", () => {
    const events = [...answeredCall(), callTranscript(240)];
    const doc = expectSameInEveryOrder(events);

    expect(doc).toEqual({
      _id: CALL_ID,
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: WABA_ID,
      direction: "BUSINESS_INITIATED",
      waId: CUSTOMER_WA_ID,
      userId: CUSTOMER_BSUID,
      parentUserId: null,
      username: "@sheena",
      profileName: "Sheena Nelson",
      customerIds: [`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`, `${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`],
      status: "COMPLETED",
      terminationStatus: "COMPLETED",
      createdAt: null,
      connectedAt: at(105),
      startTime: at(105),
      endTime: at(225),
      durationSeconds: 120,
      errors: [],
      bizOpaqueCallbackData: "campaign-7",
      recording: { ...events[4]!.recording, availableAt: at(230) },
      transcript: { ...events[5]!.transcript, availableAt: at(240) },
      events: expect.any(Array),
      startedAt: at(100),
      lastEventAt: at(240),
      projectionVersion: 1,
    });
    // The two events of second 105 in event id order: Meta's time cannot tell them apart.
    const sameSecond = [events[1]!, events[2]!].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
    expect(doc.events.map((e) => e.eventId)).toEqual(
      [events[0]!, ...sameSecond, events[3]!, events[4]!, events[5]!].map((e) => e.eventId),
    );
    expect(doc.events[0]).toEqual({
      eventId: events[0]!.eventId,
      event: "status",
      status: "RINGING",
      at: at(100),
      waId: CUSTOMER_WA_ID,
      userId: CUSTOMER_BSUID,
      bizOpaqueCallbackData: "campaign-7",
    });
  });

  it("keeps a terminated call terminated when a status stamped later arrives after it", () => {
    const doc = expectSameInEveryOrder([
      callTerminate(110, null),
      callStatus("RINGING", 112),
      callStatus("REJECTED", 109),
    ]);

    expect([doc.status, doc.terminationStatus]).toEqual(["FAILED", "FAILED"]);
    expect([doc.startTime, doc.endTime, doc.durationSeconds]).toEqual([null, null, null]);
    expect(doc.lastEventAt).toEqual(at(112));
  });

  it("takes an answer over ringing of the same second, and the latest status by time before any terminate", () => {
    expect(expectSameInEveryOrder([callStatus("ACCEPTED", 100), callStatus("RINGING", 100)]).status).toBe(
      "ACCEPTED",
    );
    expect(expectSameInEveryOrder([callStatus("RINGING", 100), callStatus("REJECTED", 104)]).status).toBe(
      "REJECTED",
    );
    expect(fold([callConnect(100)]).status).toBeNull();
  });

  it("shows each customer id as the latest known by Meta's time, and links every id any event named", () => {
    const newNumber = "16505559876";
    const doc = expectSameInEveryOrder([
      callStatus("RINGING", 100, { customerUserId: null, profileName: "Sheena" }),
      callConnect(105, { customerParentUserId: CUSTOMER_PARENT_BSUID }),
      callTerminate(
        200,
        { startSeconds: 105, endSeconds: 200 },
        { customerWaId: newNumber, profileName: null },
      ),
    ]);

    expect(doc).toMatchObject({
      waId: newNumber,
      userId: CUSTOMER_BSUID,
      parentUserId: CUSTOMER_PARENT_BSUID,
      username: "@sheena",
      profileName: "Sheena Nelson",
      customerIds: [
        `${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`,
        `${PHONE_NUMBER_ID}:${newNumber}`,
        `${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`,
      ],
    });
  });

  it("links a user-initiated call from a customer whose number Meta withheld by their BSUID alone", () => {
    const fromBsuid = { direction: "USER_INITIATED", customerWaId: null, from: null, to: null };
    const doc = fold([
      callEvent("connect", 300, { ...fromBsuid, sdpType: "offer" }),
      callTerminate(360, { startSeconds: 302, endSeconds: 360 }, fromBsuid),
    ]);

    expect(doc).toMatchObject({
      direction: "USER_INITIATED",
      waId: null,
      userId: CUSTOMER_BSUID,
      customerIds: [`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`],
      status: "COMPLETED",
      durationSeconds: 58,
    });
  });

  it("dates a call known only by its terminate from when it was answered, and a SIP call from its creation", () => {
    const terminated = fold([callTerminate(400, { startSeconds: 280, endSeconds: 400 })]);
    expect([terminated.startedAt, terminated.connectedAt]).toEqual([at(280), null]);

    const sip = expectSameInEveryOrder([callEvent("call_created", 500), callConnect(503)]);
    expect([sip.createdAt, sip.connectedAt, sip.startedAt]).toEqual([at(500), at(503), at(500)]);
  });

  it("keeps the errors of the latest event that carried any, and each event's own", () => {
    const error = (code: number, title: string) => ({
      code,
      title,
      message: title,
      details: null,
      href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    });
    const doc = expectSameInEveryOrder([
      callStatus("RINGING", 100, { errors: [error(138006, "Lack of call permission")] }),
      callTerminate(130, null, { errors: [error(138002, "Concurrent calls limit")] }),
      callRecording(140),
    ]);

    expect(doc.errors).toEqual([error(138002, "Concurrent calls limit")]);
    expect(doc.events.map((e) => e.errors?.[0]?.code ?? null)).toEqual([138006, 138002, null]);
  });

  it("returns the document itself for an event it already holds", () => {
    const doc = fold([callStatus("RINGING", 100), callConnect(105)]);

    expect(evolveCall(doc, callConnect(105))).toBe(doc);
  });

  it("keeps fields it does not know about", () => {
    const doc = { ...fold([callStatus("RINGING", 100)]), note: "kept" } as CallDocument;

    expect(evolveCall(doc, callConnect(105))).toMatchObject({ note: "kept", connectedAt: at(105) });
  });
});
