import type { UserPreferenceEvent } from "../../contracts/generated/types";
import { customerOf } from "./customer-contacts";
import { sha256Hex } from "./event-ids";
import { isObject } from "./meta-json";
import {
  businessNumberOf,
  itemsOf,
  OptionalValues,
  type FieldChange,
  type TypedChange,
} from "./typed-change";

/** The webhook field typed into whatsapp.user.preference.v1 (each change also stays a business event). */
export const userPreferenceField = "user_preferences";

/**
 * Each item of a user_preferences change (a customer stopped or resumed marketing messages) as a
 * UserPreferenceEvent, keyed by business number and customer (BSUID, else phone number). Untypeable
 * without the customer, category, value or timestamp.
 */
export function deriveUserPreferences(change: FieldChange): TypedChange<UserPreferenceEvent>[] {
  const number = businessNumberOf(change);
  if ("reason" in number) return [number];
  const items = itemsOf(number.value, "user_preferences");
  if (!Array.isArray(items)) return [items];
  return items.map((item, index): TypedChange<UserPreferenceEvent> => {
    const at = `user_preferences[${index}]`;
    if (!isObject(item)) return { reason: "not_an_object", at };
    const read = new OptionalValues();
    const customer = customerOf(
      {
        waId: read.text(item, "wa_id"),
        userId: read.text(item, "user_id"),
        parentUserId: read.text(item, "parent_user_id"),
      },
      number.value.contacts,
    );
    const category = read.text(item, "category");
    const preference = read.text(item, "value");
    const timestamp = read.millis(item, "timestamp");
    const detail = read.text(item, "detail");
    if (read.wrongType !== null) return { reason: "wrong_type", at: `${at}.${read.wrongType}` };
    const customerId = customer.customerUserId ?? customer.customerWaId;
    if (customerId === null) return { reason: "missing_customer", at };
    if (category === null || preference === null) return { reason: "missing_event", at };
    if (timestamp === null) return { reason: "missing_timestamp", at };
    const { phoneNumberId } = number;
    return {
      event: {
        key: `${phoneNumberId}:${customerId}`,
        value: {
          eventId: sha256Hex(
            "preference",
            phoneNumberId,
            customerId,
            category,
            preference,
            String(timestamp),
          ),
          rawEventId: number.rawEventId,
          phoneNumberId,
          displayPhoneNumber: number.displayPhoneNumber,
          wabaId: number.wabaId,
          waId: customer.customerWaId,
          userId: customer.customerUserId,
          parentUserId: customer.customerParentUserId,
          username: customer.username,
          profileName: customer.profileName,
          category,
          value: preference,
          detail,
          timestamp,
        },
      },
    };
  });
}
