import type { AccountEvent } from "../../../contracts/generated/types";
import { accountEvent } from "../../../tests/fixtures/account-events";
import {
  accountAlert,
  accountUpdate,
  businessCapability,
  type FieldChangeBody,
} from "../../../tests/fixtures/business-health-webhooks";
import { WABA_ID } from "../../../tests/fixtures/meta-webhooks";
import { permutations } from "../../../tests/support/orders";
import { evolveAccount, type AccountDocument } from "./account-document";

const fold = (events: AccountEvent[]): AccountDocument =>
  events.reduce<AccountDocument | null>((doc, event) => evolveAccount(doc, event), null)!;

const restriction = (types: [string, number | string][]): FieldChangeBody => ({
  field: "account_update",
  value: {
    event: "ACCOUNT_RESTRICTION",
    restriction_info: types.map(([restriction_type, expiration]) => ({ restriction_type, expiration })),
  },
});
const update = (value: Record<string, unknown>): FieldChangeBody => ({ field: "account_update", value });
const alert = (status: string): FieldChangeBody => ({
  ...accountAlert.deferred,
  value: {
    ...accountAlert.deferred.value,
    alert_info: { ...accountAlert.deferred.value.alert_info, alert_status: status },
  },
});

describe("evolveAccount", () => {
  it("restricts until the latest expiry of each restriction type, as its latest restriction event set it", () => {
    const events = [
      accountEvent(restriction([["RESTRICTED_BIZ_INITIATED_MESSAGING", 2000]]), { time: 100 }),
      accountEvent(restriction([["RESTRICTED_ADD_PHONE_NUMBER_ACTION", 1500]]), { time: 200 }),
      accountEvent(restriction([["RESTRICTED_BIZ_INITIATED_MESSAGING", 1800]]), { time: 300 }),
    ];
    const expected = fold(events);
    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
    expect(expected.restriction).toEqual({
      until: new Date(1800_000),
      restrictions: [
        {
          restrictionType: "RESTRICTED_ADD_PHONE_NUMBER_ACTION",
          expiresAt: new Date(1500_000),
          expirationText: "1500",
          at: new Date(200_000),
        },
        {
          restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING",
          expiresAt: new Date(1800_000),
          expirationText: "1800",
          at: new Date(300_000),
        },
      ],
      at: new Date(300_000),
    });
  });

  it("reads an ISO 8601 expiry some senders relay, and leaves one it cannot read out of `until`", () => {
    const document = fold([
      accountEvent(
        restriction([
          ["RESTRICTED_UTILITY_TEMPLATES", "2027-01-31T00:00:00Z"],
          ["SOMETHING_NEW", "soon"],
        ]),
        {
          time: 100,
        },
      ),
    ]);
    expect(document.restriction).toMatchObject({
      until: new Date("2027-01-31T00:00:00Z"),
      restrictions: [
        { restrictionType: "RESTRICTED_UTILITY_TEMPLATES", expiresAt: new Date("2027-01-31T00:00:00Z") },
        { restrictionType: "SOMETHING_NEW", expiresAt: null, expirationText: "soon" },
      ],
    });
    expect(fold([accountEvent(accountUpdate.banned, { time: 100 })]).restriction).toBeNull();
  });

  it("keeps the latest of each kind of account_update by Meta's time, whatever the arrival order", () => {
    const events = [
      accountEvent(accountUpdate.violation, { time: 100 }),
      accountEvent(accountUpdate.banned, { time: 110 }),
      accountEvent(update({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "REINSTATE" } }), {
        time: 120,
      }),
      accountEvent(accountUpdate.partnerRemoved, { time: 130 }),
      accountEvent(update({ event: "ACCOUNT_RECONNECTED" }), { time: 140 }),
      accountEvent(accountUpdate.volumeTier, { time: 150 }),
    ];
    const expected = fold(events);
    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
    expect(expected).toMatchObject({
      _id: WABA_ID,
      wabaId: WABA_ID,
      violation: { violationType: "SCAM", at: new Date(100_000) },
      ban: { state: "REINSTATE", date: null, at: new Date(120_000) },
      connection: { event: "ACCOUNT_RECONNECTED", disconnection: null, at: new Date(140_000) },
      partner: { event: "PARTNER_REMOVED", wabaInfo: { ownerBusinessId: "506914307656634" } },
      pricingTiers: [
        { pricingCategory: "UTILITY", region: "India", tier: "25001:100000", effectiveMonth: "2026-07" },
      ],
      restriction: null,
      updatedAt: new Date(150_000),
    });
    expect(expected.latestUpdates.map((u) => [u.event, u.at.getTime() / 1000])).toEqual([
      ["ACCOUNT_RECONNECTED", 140],
      ["ACCOUNT_VIOLATION", 100],
      ["DISABLED_UPDATE", 120],
      ["PARTNER_REMOVED", 130],
      ["VOLUME_BASED_PRICING_TIER_UPDATE", 150],
    ]);
    expect(expected.history).toHaveLength(6);
  });

  it("shows an alert while its latest status is ACTIVE", () => {
    const raised = accountEvent(alert("ACTIVE"), { time: 100 });
    const cleared = accountEvent(alert("NONE"), { time: 200 });
    for (const order of permutations([raised, cleared])) expect(fold(order).activeAlerts).toEqual([]);
    expect(fold([raised]).activeAlerts).toEqual([
      {
        entityType: "BUSINESS",
        entityId: "506914307656634",
        severity: "WARNING",
        type: "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
        description: accountAlert.deferred.value.alert_info.alert_description,
        at: new Date(100_000),
      },
    ]);
  });

  it("keeps each capability as the latest update that sent it, tiers and numbers as text", () => {
    const events = [
      accountEvent(businessCapability.tier, { time: 100 }),
      accountEvent(businessCapability.numeric, { time: 200 }),
    ];
    for (const order of permutations(events))
      expect(fold(order).capability).toEqual({
        maxDailyConversationsPerBusiness: "2000",
        maxDailyConversationPerPhone: -1,
        maxPhoneNumbersPerBusiness: null,
        maxPhoneNumbersPerWaba: 25,
        at: new Date(200_000),
      });
  });

  it("collapses duplicates: a change already in the history returns the document itself", () => {
    const restricted = accountEvent(accountUpdate.restricted, { time: 100 });
    const once = fold([restricted, accountEvent(accountUpdate.violation, { time: 90 })]);
    expect(evolveAccount(once, restricted)).toBe(once);
    expect(once.history.map((c) => c.field)).toEqual(["account_update", "account_update"]);
  });
});
