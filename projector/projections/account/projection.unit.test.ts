import { accountEvent } from "../../../tests/fixtures/account-events";
import {
  accountAlert,
  accountUpdate,
  businessCapability,
  phoneNumberName,
} from "../../../tests/fixtures/business-health-webhooks";
import { expectProjectionLaws } from "../../../tests/support/projection-laws";
import { accountProjection } from "./projection";

const otherWaba = "102290129340399";

it("passes the projection laws: any order, any batching, duplicates and a replay give the same documents", async () => {
  const events = [
    accountEvent(accountUpdate.restricted, { time: 1000 }),
    accountEvent(accountUpdate.violation, { time: 1000 }),
    accountEvent(accountAlert.deferred, { time: 1100 }),
    accountEvent(businessCapability.tier, { time: 900 }),
    accountEvent(businessCapability.numeric, { time: 1200 }),
    accountEvent(accountUpdate.banned, { time: 1000, wabaId: otherWaba }),
    accountEvent(accountUpdate.restricted, { time: 1050, wabaId: otherWaba }),
  ];
  await expectProjectionLaws(accountProjection, events, {
    label: (e) => `${e.wabaId.slice(-1)}:${e.accountUpdate?.event ?? e.field}@${e.eventTime! / 1000}`,
  });
});

it("handles the account-level fields only, and refuses one without its part", () => {
  const handles = accountProjection.canHandle!;
  for (const change of [accountUpdate.restricted, accountAlert.deferred, businessCapability.numeric])
    expect(handles(accountEvent(change), "accountEvent")).toBe(true);
  expect(handles(accountEvent(phoneNumberName.approved), "accountEvent")).toBe(false);
  const restricted = accountEvent(accountUpdate.restricted);
  expect(accountProjection.validate(restricted, "accountEvent")).toBe(restricted);
  expect(accountProjection.validate({ ...restricted, accountUpdate: null }, "accountEvent")).toBe(
    "field accountUpdate is missing for account_update",
  );
  expect(accountProjection.validate({ ...restricted, wabaId: "" }, "accountEvent")).toBe(
    "field wabaId is missing or empty",
  );
});
