import type { AccountEvent, PhoneNumberName, PhoneNumberQuality } from "../../../contracts/generated/types";
import { changedAt, lastOf } from "../account/account-event";
import { withEvent } from "../shared/event-history";

/** One distinct phone-number change: what Meta sent, at Meta's time. */
export interface PhoneNumberChange {
  eventId: string;
  at: Date;
  /** When the ingress received it: orders two changes of the same second. */
  receivedAt: Date;
  field: string;
  wabaId: string;
  displayPhoneNumber: string;
  quality?: PhoneNumberQuality;
  name?: PhoneNumberName;
}

/** Read model `phone_numbers`: one document per business phone number. Field names are a public contract. */
export interface PhoneNumberDocument {
  _id: string;
  /** display_phone_number as the latest change sent it. */
  displayPhoneNumber: string;
  /** The account of the latest change. */
  wabaId: string;
  /** The latest display-name review, whatever its decision. */
  nameReview: {
    decision: string;
    requestedVerifiedName: string | null;
    rejectionReason: string | null;
    at: Date;
  } | null;
  /** The name of the latest APPROVED review: the name customers see. */
  verifiedName: string | null;
  /** The latest phone_number_quality_update (messaging limit or throughput), as sent. */
  lastQualityEvent: (PhoneNumberQuality & { at: Date }) | null;
  /** The latest current_limit sent, kept as it came (TIER_1K and other retired tiers included). */
  messagingLimit: { tier: string; previousTier: string | null; event: string; at: Date } | null;
  /** The latest max_daily_conversations_per_business sent: the business portfolio's limit. */
  maxDailyConversationsPerBusiness: string | null;
  history: PhoneNumberChange[];
  /** Meta's time of the latest change. */
  updatedAt: Date;
  projectionVersion: number;
}

export const phoneNumberProjectionVersion = 1;

/** Meta names a phone number only by its display number: the document's id is its digits, so spacing or a `+` make no second one. */
export const phoneNumberIdOf = (event: AccountEvent): string => {
  const display = event.displayPhoneNumber ?? "";
  return display.replace(/\D/g, "") || display;
};

/**
 * Pure projection: the phone number's document after one more change. Idempotent (a change already in
 * the history returns `current` itself) and order-independent: every field is a function of the history,
 * the distinct changes sorted by Meta's time.
 */
export function evolvePhoneNumber(
  current: PhoneNumberDocument | null,
  event: AccountEvent,
): PhoneNumberDocument | null {
  if (!event.phoneNumberQuality && !event.phoneNumberName) return current;
  const change: PhoneNumberChange = {
    eventId: event.eventId,
    at: changedAt(event),
    receivedAt: new Date(event.receivedAt),
    field: event.field,
    wabaId: event.wabaId,
    displayPhoneNumber: event.displayPhoneNumber ?? "",
    ...(event.phoneNumberQuality ? { quality: event.phoneNumberQuality } : {}),
    ...(event.phoneNumberName ? { name: event.phoneNumberName } : {}),
  };
  const history = withEvent(current?.history ?? [], change);
  if (!history) return current;
  const latest = history[history.length - 1]!;
  const review = lastOf(history, (c) => c.name !== undefined);
  const approved = lastOf(history, (c) => c.name?.decision === "APPROVED");
  const quality = lastOf(history, (c) => c.quality !== undefined);
  const limit = lastOf(history, (c) => (c.quality?.currentLimit ?? null) !== null);
  const portfolioLimit = lastOf(
    history,
    (c) => (c.quality?.maxDailyConversationsPerBusiness ?? null) !== null,
  );
  return {
    ...current,
    _id: phoneNumberIdOf(event),
    displayPhoneNumber: latest.displayPhoneNumber,
    wabaId: latest.wabaId,
    nameReview: review ? { ...review.name!, at: review.at } : null,
    verifiedName: approved?.name?.requestedVerifiedName ?? null,
    lastQualityEvent: quality ? { ...quality.quality!, at: quality.at } : null,
    messagingLimit: limit
      ? {
          tier: limit.quality!.currentLimit!,
          previousTier: limit.quality!.oldLimit,
          event: limit.quality!.event,
          at: limit.at,
        }
      : null,
    maxDailyConversationsPerBusiness: portfolioLimit?.quality?.maxDailyConversationsPerBusiness ?? null,
    history,
    updatedAt: latest.at,
    projectionVersion: phoneNumberProjectionVersion,
  };
}
