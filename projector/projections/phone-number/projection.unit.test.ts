import { accountEvent } from "../../../tests/fixtures/account-events";
import {
  accountUpdate,
  phoneNumberName,
  phoneNumberQuality,
} from "../../../tests/fixtures/business-health-webhooks";
import { expectProjectionLaws } from "../../../tests/support/projection-laws";
import { phoneNumberProjection } from "./projection";

const otherNumber = (change: { field: string; value: Record<string, unknown> }) => ({
  ...change,
  value: { ...change.value, display_phone_number: "15550783882" },
});

it("passes the projection laws: any order, any batching, duplicates and a replay give the same documents", async () => {
  const events = [
    accountEvent(phoneNumberName.approved, { time: 1000 }),
    accountEvent(phoneNumberQuality.flaggedLegacy, { time: 1050 }),
    accountEvent(phoneNumberName.rejected, { time: 1100 }),
    accountEvent(phoneNumberQuality.throughputUpgrade, { time: 1100 }),
    accountEvent(otherNumber(phoneNumberName.rejected), { time: 1000 }),
    accountEvent(otherNumber(phoneNumberQuality.throughputUpgrade), { time: 990 }),
  ];
  await expectProjectionLaws(phoneNumberProjection, events, {
    label: (e) => `${e.displayPhoneNumber!.slice(-1)}:${e.field.slice(13, 17)}@${e.eventTime! / 1000}`,
  });
});

it("handles the phone-number fields only, and refuses one without its display number", () => {
  const handles = phoneNumberProjection.canHandle!;
  expect(handles(accountEvent(phoneNumberName.approved), "accountEvent")).toBe(true);
  expect(handles(accountEvent(phoneNumberQuality.throughputUpgrade), "accountEvent")).toBe(true);
  expect(handles(accountEvent(accountUpdate.restricted), "accountEvent")).toBe(false);
  const named = accountEvent(phoneNumberName.approved);
  expect(phoneNumberProjection.validate(named, "accountEvent")).toBe(named);
  expect(phoneNumberProjection.validate({ ...named, displayPhoneNumber: null }, "accountEvent")).toBe(
    "field displayPhoneNumber is missing or empty",
  );
  expect(phoneNumberProjection.validate({ ...named, phoneNumberName: null }, "accountEvent")).toBe(
    "field phoneNumberName is missing for phone_number_name_update",
  );
});
