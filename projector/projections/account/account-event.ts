import type { AccountEvent } from "../../../contracts/generated/types";

/** The part of an AccountEvent each field sets; the accounts and phone_numbers projections split the topic by it. */
export const partOfField = {
  account_update: "accountUpdate",
  account_alerts: "alert",
  business_capability_update: "capability",
  phone_number_quality_update: "phoneNumberQuality",
  phone_number_name_update: "phoneNumberName",
} as const satisfies Record<string, keyof AccountEvent>;

export type AccountTopicField = keyof typeof partOfField;

/** Whether a decoded record of whatsapp.account.event.v1 is one of these fields. */
export const isFieldOf =
  (fields: readonly AccountTopicField[]) =>
  (decoded: unknown): boolean =>
    fields.includes((decoded as { field?: unknown } | null)?.field as AccountTopicField);

/**
 * The decoded record as an AccountEvent with its ids, a time, and the part its field sets; otherwise the
 * reason it is not (the first problem found).
 */
export function validateAccountEvent(decoded: unknown): AccountEvent | string {
  if (typeof decoded !== "object" || decoded === null) return "record is not an object";
  const record = decoded as Record<string, unknown>;
  for (const field of ["eventId", "wabaId", "field"])
    if (typeof record[field] !== "string" || record[field] === "")
      return `field ${field} is missing or empty`;
  const part = partOfField[record.field as AccountTopicField];
  if (part && (typeof record[part] !== "object" || record[part] === null))
    return `field ${part} is missing for ${String(record.field)}`;
  if (typeof record.receivedAt !== "number" || record.receivedAt <= 0)
    return "receivedAt is not a positive time";
  return decoded as AccountEvent;
}

/** When the change happened: Meta's entry[].time, else (Meta sent none) when the ingress received it. */
export const changedAt = (event: AccountEvent): Date => new Date(event.eventTime ?? event.receivedAt);

/** Code-unit order: the same on every machine, unlike localeCompare, so a rebuild anywhere gives the same lists. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The last entry of a history (in history order) that matches, or null. */
export function lastOf<T>(history: readonly T[], matches: (entry: T) => boolean): T | null {
  for (let i = history.length - 1; i >= 0; i--) if (matches(history[i]!)) return history[i]!;
  return null;
}
