import type { AccountEvent } from "../../../contracts/generated/types";
import { accountEvent } from "../../../tests/fixtures/account-events";
import { phoneNumberName, phoneNumberQuality } from "../../../tests/fixtures/business-health-webhooks";
import { DISPLAY_PHONE_NUMBER, WABA_ID } from "../../../tests/fixtures/meta-webhooks";
import { permutations } from "../../../tests/support/orders";
import { evolvePhoneNumber, phoneNumberIdOf, type PhoneNumberDocument } from "./phone-number-document";

const fold = (events: AccountEvent[]): PhoneNumberDocument =>
  events.reduce<PhoneNumberDocument | null>((doc, event) => evolvePhoneNumber(doc, event), null)!;

const approved = accountEvent(phoneNumberName.approved, { time: 1000 });
const rejected = accountEvent(phoneNumberName.rejected, { time: 1100 });
const flagged = accountEvent(phoneNumberQuality.flaggedLegacy, { time: 1050 });
const upgraded = accountEvent(phoneNumberQuality.throughputUpgrade, { time: 1200 });

describe("evolvePhoneNumber", () => {
  it("takes the later arrival of two name decisions in one Meta second as the latest, in either order", () => {
    const first = accountEvent(phoneNumberName.rejected, { time: 1000, receivedAt: 1000_200 });
    const second = accountEvent(phoneNumberName.approved, { time: 1000, receivedAt: 1000_700 });

    expect(fold([first, second]).nameReview?.decision).toBe("APPROVED");
    expect(fold([second, first])).toEqual(fold([first, second]));
  });

  it("gives one document for every order: latest review, name, limit and quality event by Meta's time", () => {
    const events = [approved, rejected, flagged, upgraded];
    const expected = fold(events);
    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
    expect(expected).toMatchObject({
      _id: DISPLAY_PHONE_NUMBER,
      displayPhoneNumber: DISPLAY_PHONE_NUMBER,
      wabaId: WABA_ID,
      nameReview: {
        decision: "REJECTED",
        requestedVerifiedName: "Lucky Shrub Best Deals",
        rejectionReason: "NAME_FORMAT_UNACCEPTABLE",
        at: new Date(1100_000),
      },
      verifiedName: "Lucky Shrub",
      lastQualityEvent: {
        event: "THROUGHPUT_UPGRADE",
        currentLimit: "TIER_UNLIMITED",
        at: new Date(1200_000),
      },
      messagingLimit: { tier: "TIER_UNLIMITED", previousTier: null, event: "THROUGHPUT_UPGRADE" },
      maxDailyConversationsPerBusiness: "TIER_UNLIMITED",
      updatedAt: new Date(1200_000),
    });
    expect(expected.history.map((change) => change.at.getTime() / 1000)).toEqual([1000, 1050, 1100, 1200]);
  });

  it("keeps retired values as they came: FLAGGED and TIER_1K", () => {
    expect(fold([flagged])).toMatchObject({
      lastQualityEvent: { event: "FLAGGED", currentLimit: "TIER_1K", oldLimit: "TIER_10K" },
      messagingLimit: { tier: "TIER_1K", previousTier: "TIER_10K", event: "FLAGGED" },
      maxDailyConversationsPerBusiness: null,
      nameReview: null,
      verifiedName: null,
    });
  });

  it("takes the latest by Meta's time, not by arrival: an older downgrade arriving last changes no limit", () => {
    const lateOld = accountEvent(phoneNumberQuality.flaggedLegacy, { time: 900 });
    const document = fold([upgraded, lateOld]);
    expect(document.messagingLimit).toMatchObject({ tier: "TIER_UNLIMITED", at: new Date(1200_000) });
    expect(document.history).toHaveLength(2);
  });

  it("collapses duplicates: a change already in the history returns the document itself", () => {
    const once = fold([approved, flagged]);
    expect(evolvePhoneNumber(once, flagged)).toBe(once);
    expect(fold([approved, flagged, approved, flagged])).toEqual(once);
  });

  it("falls back to the time the ingress received a change when Meta sent no entry[].time", () => {
    const undated = accountEvent(phoneNumberName.approved, { time: null, receivedAt: 1_500_000 });
    expect(fold([undated]).updatedAt).toEqual(new Date(1_500_000));
  });

  it("keeps one document whatever the display number's spacing", () => {
    const spaced = accountEvent(
      {
        ...phoneNumberName.approved,
        value: { ...phoneNumberName.approved.value, display_phone_number: "+1 555-078-3881" },
      },
      { time: 1300 },
    );
    expect(phoneNumberIdOf(spaced)).toBe(phoneNumberIdOf(approved));
    expect(fold([approved, spaced])).toMatchObject({
      _id: "15550783881",
      displayPhoneNumber: "+1 555-078-3881",
    });
  });
});
