import { statusChange, syncedTemplate, templateEvent } from "../../../tests/fixtures/template-events";
import { expectProjectionLaws } from "../../../tests/support/projection-laws";
import { templatesProjection } from "./projection";

const first = "1689556908129835";
const second = "18446744073709551615";
const components = { title: "Your order", body: "Thanks, {{1}}!", footer: null, buttons: [] };

it("passes the projection laws: any order, any batching, duplicates and a replay give the same documents", async () => {
  const events = [
    templateEvent(first, 100, statusChange("PENDING", null, "UTILITY")),
    templateEvent(first, 101, statusChange("APPROVED")),
    templateEvent(first, 102, { quality: { previousScore: "GREEN", newScore: "YELLOW" } }),
    templateEvent(first, 103, syncedTemplate({ status: "APPROVED", category: "UTILITY", components })),
    templateEvent(second, 100, statusChange("REJECTED", "INVALID_FORMAT", "MARKETING")),
    templateEvent(second, 104, syncedTemplate({ status: "PAUSED", qualityScore: "RED" })),
  ];
  await expectProjectionLaws(templatesProjection, events, {
    label: (e) => `${e.templateId.slice(-2)}:${e.field}@${e.eventTime}`,
  });
});

it("validates the ids and a time, skipping nothing of its own topic", () => {
  const event = templateEvent(first, 100, statusChange("APPROVED"));
  expect(templatesProjection.validate(event, "templateEvent")).toBe(event);
  expect(templatesProjection.validate({ ...event, eventTime: null }, "templateEvent")).toEqual({
    ...event,
    eventTime: null,
  });
  expect(templatesProjection.validate({ ...event, templateId: "" }, "templateEvent")).toBe(
    "field templateId is missing or empty",
  );
  expect(templatesProjection.validate({ ...event, eventTime: null, receivedAt: 0 }, "templateEvent")).toBe(
    "neither eventTime nor receivedAt is a positive time",
  );
});
