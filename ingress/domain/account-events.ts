import type { AccountEvent } from "../../contracts/generated/types";
import { isObject, secondsToMillis, text, type Json } from "./meta-json";
import {
  changeEnvelope,
  OptionalValues,
  type FieldChange,
  type TypedChange,
  type Untypeable,
} from "./typed-change";

/** The webhook fields typed into whatsapp.account.event.v1 (each also stays a business event). */
export const accountFields = new Set([
  "account_update",
  "account_alerts",
  "business_capability_update",
  "phone_number_quality_update",
  "phone_number_name_update",
]);

type AccountParts = Pick<
  AccountEvent,
  "displayPhoneNumber" | "accountUpdate" | "alert" | "capability" | "phoneNumberQuality" | "phoneNumberName"
>;
const noParts: AccountParts = {
  displayPhoneNumber: null,
  accountUpdate: null,
  alert: null,
  capability: null,
  phoneNumberQuality: null,
  phoneNumberName: null,
};

/**
 * One change of an account or phone-number field as an AccountEvent, keyed by WABA id: an account's
 * changes, and those of all its phone numbers (which Meta names only by display number), are read in
 * order. Untypeable without the WABA id or the field's own required value (event, decision, number).
 */
export function deriveAccountEvent(change: FieldChange): TypedChange<AccountEvent> {
  const { value, field } = change;
  if (!isObject(value)) return { reason: "not_an_object" };
  if (change.wabaId === null) return { reason: "missing_waba_id" };
  const read = new OptionalValues();
  const parts = partsOf(field, value, read);
  if ("reason" in parts) return parts;
  if (read.wrongType !== null) return { reason: "wrong_type", at: read.wrongType };
  return {
    event: {
      key: change.wabaId,
      value: { ...changeEnvelope("account", change, change.wabaId), ...parts },
    },
  };
}

function partsOf(field: string, value: Json, read: OptionalValues): AccountParts | Untypeable {
  switch (field) {
    case "account_update": {
      const accountUpdate = accountUpdateOf(value, read);
      return accountUpdate ? { ...noParts, accountUpdate } : { reason: "missing_event" };
    }
    case "account_alerts": {
      const info = read.object(value, "alert_info");
      if (info === null) return { reason: "missing_alert_info" };
      return {
        ...noParts,
        alert: {
          entityType: read.text(value, "entity_type"),
          entityId: read.text(value, "entity_id"),
          severity: read.text(info, "alert_severity"),
          status: read.text(info, "alert_status"),
          type: read.text(info, "alert_type"),
          description: read.text(info, "alert_description"),
        },
      };
    }
    case "business_capability_update":
      return {
        ...noParts,
        capability: {
          maxDailyConversationsPerBusiness: read.text(value, "max_daily_conversations_per_business"),
          maxDailyConversationPerPhone: read.integer(value, "max_daily_conversation_per_phone"),
          maxPhoneNumbersPerBusiness: read.integer(value, "max_phone_numbers_per_business"),
          maxPhoneNumbersPerWaba: read.integer(value, "max_phone_numbers_per_waba"),
        },
      };
    default:
      return phoneNumberParts(field, value, read);
  }
}

function phoneNumberParts(field: string, value: Json, read: OptionalValues): AccountParts | Untypeable {
  const displayPhoneNumber = read.text(value, "display_phone_number");
  if (displayPhoneNumber === null) return { reason: "missing_display_phone_number" };
  if (field === "phone_number_quality_update") {
    const event = read.text(value, "event");
    if (event === null) return { reason: "missing_event" };
    return {
      ...noParts,
      displayPhoneNumber,
      phoneNumberQuality: {
        event,
        currentLimit: read.text(value, "current_limit"),
        oldLimit: read.text(value, "old_limit"),
        maxDailyConversationsPerBusiness: read.text(value, "max_daily_conversations_per_business"),
      },
    };
  }
  const decision = read.text(value, "decision");
  if (decision === null) return { reason: "missing_decision" };
  return {
    ...noParts,
    displayPhoneNumber,
    phoneNumberName: {
      decision,
      requestedVerifiedName: read.text(value, "requested_verified_name"),
      rejectionReason: read.text(value, "rejection_reason"),
    },
  };
}

function accountUpdateOf(value: Json, read: OptionalValues): AccountEvent["accountUpdate"] {
  const event = read.text(value, "event");
  if (event === null) return null;
  const violation = read.object(value, "violation_info");
  const ban = read.object(value, "ban_info");
  const waba = read.object(value, "waba_info");
  const disconnection = read.object(value, "disconnection_info");
  const tier = read.object(value, "volume_tier_info");
  const certification = read.object(value, "partner_client_certification_info");
  const eligibility = read.object(value, "auth_international_rate_eligibility");
  return {
    event,
    phoneNumber: read.text(value, "phone_number"),
    country: read.text(value, "country"),
    violationType: violation ? read.text(violation, "violation_type") : null,
    restrictions: read.objects(value, "restriction_info").map((restriction) => ({
      restrictionType: read.text(restriction, "restriction_type"),
      // Unix seconds per Meta; some senders relay ISO dates, kept in expirationText.
      expiration: secondsToMillis(restriction.expiration),
      expirationText: text(restriction.expiration),
    })),
    ban: ban ? { state: read.text(ban, "waba_ban_state"), date: read.text(ban, "waba_ban_date") } : null,
    wabaInfo: waba
      ? {
          wabaId: read.text(waba, "waba_id"),
          ownerBusinessId: read.text(waba, "owner_business_id"),
          adAccountLinked: read.text(waba, "ad_account_linked"),
          partnerAppId: read.text(waba, "partner_app_id"),
          solutionId: read.text(waba, "solution_id"),
          solutionPartnerBusinessIds: read.texts(waba, "solution_partner_business_ids"),
        }
      : null,
    disconnection: disconnection
      ? { reason: read.text(disconnection, "reason"), initiatedBy: read.text(disconnection, "initiated_by") }
      : null,
    volumeTier: tier
      ? {
          tierUpdateTime: read.text(tier, "tier_update_time"),
          pricingCategory: read.text(tier, "pricing_category"),
          tier: read.text(tier, "tier"),
          effectiveMonth: read.text(tier, "effective_month"),
          region: read.text(tier, "region"),
        }
      : null,
    partnerClientCertification: certification
      ? {
          clientBusinessId: read.text(certification, "client_business_id"),
          status: read.text(certification, "status"),
          rejectionReasons: read.texts(certification, "rejection_reasons"),
        }
      : null,
    authInternationalRateEligibility: eligibility
      ? {
          startTime: read.millis(eligibility, "start_time"),
          exceptionCountries: read.objects(eligibility, "exception_countries").map((country) => ({
            countryCode: read.text(country, "country_code"),
            startTime: read.millis(country, "start_time"),
          })),
        }
      : null,
  };
}
