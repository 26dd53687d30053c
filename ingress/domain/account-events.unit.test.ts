import {
  ENTRY_TIME,
  accountAlert,
  accountUpdate,
  businessCapability,
  fieldDelivery,
  phoneNumberName,
  phoneNumberQuality,
  type FieldChangeBody,
} from "../../tests/fixtures/business-health-webhooks";
import { DISPLAY_PHONE_NUMBER, WABA_ID } from "../../tests/fixtures/meta-webhooks";
import { parseDelivery } from "./delivery-parser";
import { typedChangeEventId } from "./event-ids";

const receivedAt = 1751247600000;
const onlyAccountEvent = (change: FieldChangeBody) => {
  const parsed = parseDelivery({
    requestId: "request-1",
    receivedAt,
    body: Buffer.from(JSON.stringify(fieldDelivery(change))),
    signatureHeader: "sha256=00",
    contentType: null,
  });
  expect(parsed.accountEvents).toHaveLength(1);
  expect(parsed.untyped).toEqual([]);
  expect(parsed.templateEvents).toEqual([]);
  expect(parsed.businessEvents.map(({ value }) => value.field)).toEqual([change.field]);
  expect(parsed.raw.value.accountEventCount).toBe(1);
  return parsed.accountEvents[0]!;
};

describe("account events", () => {
  it("types a restriction with the expiry of each restriction, keyed by WABA id", () => {
    const { key, value } = onlyAccountEvent(accountUpdate.restricted);
    expect(key).toBe(WABA_ID);
    expect(value).toMatchObject({
      eventId: typedChangeEventId(
        "account",
        WABA_ID,
        "account_update",
        ENTRY_TIME * 1000,
        JSON.stringify(accountUpdate.restricted.value),
      ),
      rawEventId: "request-1",
      wabaId: WABA_ID,
      field: "account_update",
      displayPhoneNumber: null,
      alert: null,
      capability: null,
      phoneNumberQuality: null,
      phoneNumberName: null,
      eventTime: ENTRY_TIME * 1000,
      receivedAt,
      valueJson: JSON.stringify(accountUpdate.restricted.value),
    });
    expect(value.accountUpdate).toEqual({
      event: "ACCOUNT_RESTRICTION",
      phoneNumber: null,
      country: null,
      violationType: null,
      restrictions: [
        {
          restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING",
          expiration: 1641330498000,
          expirationText: "1641330498",
        },
        {
          restrictionType: "RESTRICTED_ADD_PHONE_NUMBER_ACTION",
          expiration: 1641330498000,
          expirationText: "1641330498",
        },
      ],
      ban: null,
      wabaInfo: null,
      disconnection: null,
      volumeTier: null,
      partnerClientCertification: null,
      authInternationalRateEligibility: null,
    });
  });

  it("keeps an expiry sent as a date string as text, with no time read from it", () => {
    const { value } = onlyAccountEvent({
      field: "account_update",
      value: {
        event: "ACCOUNT_RESTRICTION",
        restriction_info: [
          { restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration: "2026-04-19T13:59:20+0000" },
        ],
      },
    });
    expect(value.accountUpdate?.restrictions).toEqual([
      {
        restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING",
        expiration: null,
        expirationText: "2026-04-19T13:59:20+0000",
      },
    ]);
  });

  it("types a ban, a violation, a partner removal and a pricing tier change", () => {
    expect(onlyAccountEvent(accountUpdate.banned).value.accountUpdate).toMatchObject({
      event: "DISABLED_UPDATE",
      ban: { state: "DISABLE", date: "June 30, 2026" },
      restrictions: [],
    });
    expect(onlyAccountEvent(accountUpdate.violation).value.accountUpdate).toMatchObject({
      event: "ACCOUNT_VIOLATION",
      violationType: "SCAM",
    });
    expect(onlyAccountEvent(accountUpdate.partnerRemoved).value.accountUpdate).toMatchObject({
      event: "PARTNER_REMOVED",
      wabaInfo: {
        wabaId: WABA_ID,
        ownerBusinessId: "506914307656634",
        adAccountLinked: null,
        partnerAppId: null,
        solutionId: null,
        solutionPartnerBusinessIds: [],
      },
      disconnection: { reason: "PRIMARY_INACTIVITY", initiatedBy: "SYSTEM" },
    });
    expect(onlyAccountEvent(accountUpdate.volumeTier).value.accountUpdate?.volumeTier).toEqual({
      tierUpdateTime: "1751247548",
      pricingCategory: "UTILITY",
      tier: "25001:100000",
      effectiveMonth: "2026-07",
      region: "India",
    });
  });

  it("types an alert", () => {
    expect(onlyAccountEvent(accountAlert.deferred).value.alert).toEqual({
      entityType: "BUSINESS",
      entityId: "506914307656634",
      severity: "WARNING",
      status: "ACTIVE",
      type: "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED",
      description: accountAlert.deferred.value.alert_info.alert_description,
    });
  });

  it("types a capability update whether the business limit comes as a number or a tier", () => {
    expect(onlyAccountEvent(businessCapability.numeric).value.capability).toEqual({
      maxDailyConversationsPerBusiness: "2000",
      maxDailyConversationPerPhone: null,
      maxPhoneNumbersPerBusiness: null,
      maxPhoneNumbersPerWaba: 25,
    });
    expect(onlyAccountEvent(businessCapability.tier).value.capability).toEqual({
      maxDailyConversationsPerBusiness: "TIER_UNLIMITED",
      maxDailyConversationPerPhone: -1,
      maxPhoneNumbersPerBusiness: null,
      maxPhoneNumbersPerWaba: 25,
    });
  });

  it("types a throughput upgrade, and keeps an older integration's FLAGGED and TIER_1K as they came", () => {
    const upgrade = onlyAccountEvent(phoneNumberQuality.throughputUpgrade);
    expect(upgrade.key).toBe(WABA_ID);
    expect(upgrade.value).toMatchObject({
      displayPhoneNumber: DISPLAY_PHONE_NUMBER,
      accountUpdate: null,
      phoneNumberQuality: {
        event: "THROUGHPUT_UPGRADE",
        currentLimit: "TIER_UNLIMITED",
        oldLimit: null,
        maxDailyConversationsPerBusiness: "TIER_UNLIMITED",
      },
    });
    expect(onlyAccountEvent(phoneNumberQuality.flaggedLegacy).value.phoneNumberQuality).toEqual({
      event: "FLAGGED",
      currentLimit: "TIER_1K",
      oldLimit: "TIER_10K",
      maxDailyConversationsPerBusiness: null,
    });
  });

  it("types a display name approval, and a rejection with its reason", () => {
    expect(onlyAccountEvent(phoneNumberName.approved).value).toMatchObject({
      displayPhoneNumber: DISPLAY_PHONE_NUMBER,
      phoneNumberName: { decision: "APPROVED", requestedVerifiedName: "Lucky Shrub", rejectionReason: null },
    });
    expect(onlyAccountEvent(phoneNumberName.rejected).value.phoneNumberName).toEqual({
      decision: "REJECTED",
      requestedVerifiedName: "Lucky Shrub Best Deals",
      rejectionReason: "NAME_FORMAT_UNACCEPTABLE",
    });
  });
});
