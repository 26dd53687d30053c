import type { Keyed, UntypedReason } from "./delivery-parser";
import { typedChangeEventId } from "./event-ids";
import { arrayOf, decimal, isObject, objectOrEmpty, secondsToMillis, text, type Json } from "./meta-json";

/** One change of a template or account field, as the parser hands it to the field's derivation. */
export interface FieldChange {
  wabaId: string | null;
  field: string;
  value: unknown;
  /** The value as JSON, large integers digit for digit. */
  valueJson: string;
  entryTimeMillis: number | null;
  requestId: string;
  receivedAt: number;
}

/** The fields every typed template and account event carries, from its change (of a known WABA). */
export function changeEnvelope(topicTag: "template" | "account", change: FieldChange, wabaId: string) {
  return {
    eventId: typedChangeEventId(topicTag, wabaId, change.field, change.entryTimeMillis, change.valueJson),
    rawEventId: change.requestId,
    wabaId,
    field: change.field,
    eventTime: change.entryTimeMillis,
    receivedAt: change.receivedAt,
    valueJson: change.valueJson,
  };
}

/** The business number a customer-channel change (calls, groups, echoes, ...) is about, from its value. */
export interface BusinessNumber {
  value: Json;
  rawEventId: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string | null;
}

/** The change's value with its WABA and business phone number, which every customer-channel event carries. */
export function businessNumberOf(change: FieldChange): BusinessNumber | Untypeable {
  const { value } = change;
  if (!isObject(value)) return { reason: "not_an_object" };
  if (change.wabaId === null) return { reason: "missing_waba_id" };
  const metadata = objectOrEmpty(value.metadata);
  const phoneNumberId = text(metadata.phone_number_id);
  if (!phoneNumberId) return { reason: "missing_phone_number_id", at: "metadata" };
  return {
    value,
    rawEventId: change.requestId,
    wabaId: change.wabaId,
    phoneNumberId,
    displayPhoneNumber: text(metadata.display_phone_number),
  };
}

/** The array of items a change carries under `key`; untypeable when it is absent or not an array. */
export function itemsOf(value: Json, key: string): unknown[] | Untypeable {
  const items = value[key];
  if (items === undefined || items === null) return { reason: "missing_items", at: key };
  return Array.isArray(items) ? items : { reason: "wrong_type", at: key };
}

/** A typed event with its key, or why the change could not be typed (and where, for the log line). */
export type TypedChange<T> = { event: Keyed<T> } | Untypeable;
export interface Untypeable {
  reason: UntypedReason;
  /** The key of the value that made it untypeable, when one did. */
  at?: string;
}

/**
 * Reads the optional values of a change leniently (a number where text is expected is written in
 * decimal) but remembers the first value of a type Meta never sends there, so the change is reported
 * as `wrong_type` rather than typed with a silent gap.
 */
export class OptionalValues {
  /** Key of the first value of a wrong type. */
  wrongType: string | null = null;

  private wrong(where: string): null {
    this.wrongType ??= where;
    return null;
  }

  text(object: Json, key: string): string | null {
    const value = object[key];
    if (value === undefined || value === null) return null;
    return text(value) ?? this.wrong(key);
  }

  object(object: Json, key: string): Json | null {
    const value = object[key];
    if (value === undefined || value === null) return null;
    return isObject(value) ? value : this.wrong(key);
  }

  objects(object: Json, key: string): Json[] {
    const value = object[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every(isObject)) return this.wrong(key) ?? [];
    return value;
  }

  texts(object: Json, key: string): string[] {
    const value = object[key];
    if (value === undefined || value === null) return [];
    const read = arrayOf(value).map(text);
    if (!Array.isArray(value) || read.some((item) => item === null)) return this.wrong(key) ?? [];
    return read as string[];
  }

  /** true or false (also written as text). */
  flag(object: Json, key: string): boolean | null {
    const value = object[key];
    if (value === undefined || value === null) return null;
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    return this.wrong(key);
  }

  /** Unix seconds (number or numeric string) as milliseconds. */
  millis(object: Json, key: string): number | null {
    const value = object[key];
    if (value === undefined || value === null) return null;
    return secondsToMillis(value) ?? this.wrong(key);
  }

  /** A whole number. */
  integer(object: Json, key: string): number | null {
    const value = object[key];
    if (value === undefined || value === null) return null;
    const number = decimal(value);
    return number !== null && Number.isSafeInteger(number) ? number : this.wrong(key);
  }
}
