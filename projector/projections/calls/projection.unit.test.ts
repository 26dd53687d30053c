import { answeredCall, callEvent, callStatus, callTerminate } from "../../../tests/fixtures/call-events";
import { expectProjectionLaws } from "../../../tests/support/projection-laws";
import { callsProjection } from "./projection";

const missedCall = "wacid.HBgLMTY1MDU1NTEyMzQVAgARGBJNSVNTRUQA";

it("passes the projection laws: any order, any batching, duplicates and a replay give the same documents", async () => {
  const events = [
    ...answeredCall(),
    callStatus("RINGING", 300, { callId: missedCall }),
    callTerminate(330, null, { callId: missedCall }),
    callStatus("RINGING", 331, { callId: missedCall }),
  ];
  await expectProjectionLaws(callsProjection, events, {
    label: (e) => `${e.callId.slice(-6, -1)}:${e.status ?? e.event}@${e.timestamp / 1000}`,
  });
});

it("validates the ids and Meta's time, and handles every record of its topic", () => {
  const event = callEvent("connect", 100);
  expect(callsProjection.canHandle).toBeUndefined();
  expect(callsProjection.validate(event, "callEvent")).toBe(event);
  expect(callsProjection.validate({ ...event, callId: "" }, "callEvent")).toBe(
    "field callId is missing or empty",
  );
  expect(callsProjection.validate({ ...event, timestamp: 0 }, "callEvent")).toBe(
    "timestamp is not a positive time",
  );
});
