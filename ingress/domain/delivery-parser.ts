import type {
  AccountEvent,
  BusinessAppMessageEvent,
  BusinessEvent,
  CallEvent,
  GroupEvent,
  InboundMessageEvent,
  MessageStatusEvent,
  PaymentStatusEvent,
  RawWebhookDelivery,
  TemplateEvent,
  UserPreferenceEvent,
} from "../../contracts/generated/types";
import { accountFields, deriveAccountEvent } from "./account-events";
import { businessAppFields, deriveBusinessAppMessages } from "./business-app-messages";
import { callField, deriveCallEvents } from "./call-events";
import { contactOf } from "./customer-contacts";
import { sha256Hex } from "./event-ids";
import { deriveGroupEvents, groupFields } from "./group-events";
import { parseErrors, parseMessageContent } from "./message-content";
import {
  arrayOf,
  flag,
  isObject,
  objectOrEmpty,
  parseJsonLosslessly,
  secondsToMillis,
  text,
  type Json,
} from "./meta-json";
import { derivePaymentStatus, isPaymentStatus } from "./payment-statuses";
import { deriveTemplateEvent, templateFields } from "./template-events";
import type { FieldChange, TypedChange } from "./typed-change";
import { deriveUserPreferences, userPreferenceField } from "./user-preferences";

/** What one HTTP delivery becomes: the raw record and every event derived from it, each with its key. */
export interface ParsedDelivery {
  raw: Keyed<RawWebhookDelivery>;
  statuses: Keyed<MessageStatusEvent>[];
  inboundMessages: Keyed<InboundMessageEvent>[];
  businessEvents: Keyed<BusinessEvent>[];
  /** Template field changes, typed (each also in businessEvents). */
  templateEvents: Keyed<TemplateEvent>[];
  /** Account and phone-number field changes, typed (each also in businessEvents). */
  accountEvents: Keyed<AccountEvent>[];
  /** Messages of smb_message_echoes and history changes (each change also in businessEvents). */
  businessAppMessages: Keyed<BusinessAppMessageEvent>[];
  /** Calls and call statuses of calls changes (each change also in businessEvents). */
  callEvents: Keyed<CallEvent>[];
  /** Items of group_* changes (each change also in businessEvents). */
  groupEvents: Keyed<GroupEvent>[];
  /** Items of user_preferences changes (each change also in businessEvents). */
  userPreferences: Keyed<UserPreferenceEvent>[];
  /** Statuses of type payment of messages changes (not message statuses). */
  paymentStatuses: Keyed<PaymentStatusEvent>[];
  /** Messages, statuses, value keys and field changes that became no typed event: counted, logged, named in raw.problem. */
  untyped: UntypedObject[];
  /** First entry's business phone number id, for the delivery's span and logs. */
  phoneNumberId: string | null;
}

export interface Keyed<T> {
  key: string;
  value: T;
}

export interface ReceivedDelivery {
  requestId: string;
  receivedAt: number;
  body: Buffer;
  signatureHeader: string;
  contentType: string | null;
}

export { sha256Hex } from "./event-ids";

/** Deterministic ids: a redelivery of the same thing by Meta gets the same id. */
export const statusEventId = (wamid: string, status: string, timestampMillis: number): string =>
  sha256Hex("status", wamid, status, String(timestampMillis));
/** A group message has a status per participant, possibly in the same second: the participant is in the id. */
export const groupStatusEventId = (
  wamid: string,
  status: string,
  timestampMillis: number,
  participantId: string,
): string => sha256Hex("status", wamid, status, String(timestampMillis), participantId);
export const inboundEventId = (wamid: string): string => sha256Hex("inbound", wamid);
export const businessEventId = (wabaId: string, field: string, valueJson: string): string =>
  sha256Hex("business", wabaId, field, valueJson);

/** Why a message or status of a signed delivery became no typed event: a closed set, for metric labels. */
export type UntypedReason =
  | "not_an_object"
  | "missing_id"
  | "missing_timestamp"
  | "missing_sender"
  | "missing_status"
  | "missing_phone_number_id"
  | "unknown_key"
  | "missing_waba_id"
  | "missing_template_id"
  | "missing_event"
  | "missing_decision"
  | "missing_display_phone_number"
  | "missing_alert_info"
  | "missing_customer"
  | "missing_items"
  | "not_a_message_status"
  | "wrong_type";

/** An object of a signed delivery that became no typed event (it stays in the raw record and a business event). */
export interface UntypedObject {
  /**
   * Where it sat: `messages`, `statuses`, `value` for a key of a messages change's value, or the
   * webhook field (template, account, calls, groups, ...) whose change it was.
   */
  field: string;
  reason: UntypedReason;
  /** For the log line: its position, and the key for unknown_key. */
  detail: string;
}

function parseSystemNotice(value: unknown): InboundMessageEvent["system"] {
  if (!isObject(value)) return null;
  return {
    type: text(value.type),
    body: text(value.body),
    waId: text(value.wa_id) ?? text(value.new_wa_id),
    userId: text(value.user_id),
    parentUserId: text(value.parent_user_id),
    previousUserId: text(value.previous_user_id),
    previousParentUserId: text(value.previous_parent_user_id),
  };
}

function parseInboundMessage(
  message: Json,
  value: Json,
  wabaId: string,
  rawEventId: string,
): TypedChange<InboundMessageEvent> {
  const wamid = text(message.id);
  const timestamp = secondsToMillis(message.timestamp);
  const metadata = objectOrEmpty(value.metadata);
  const phoneNumberId = text(metadata.phone_number_id);
  const fromWaId = text(message.from);
  const sender = contactOf(value.contacts, fromWaId, text(message.from_user_id));
  // A system notice of a BSUID change may name the customer only inside it (no contacts, no from).
  const notice = objectOrEmpty(message.system);
  const fromUserId =
    text(message.from_user_id) ??
    text(sender?.user_id) ??
    text(notice.previous_user_id) ??
    text(notice.user_id);
  const from = fromWaId ?? fromUserId;
  if (!wamid) return { reason: "missing_id" };
  if (timestamp === null) return { reason: "missing_timestamp" };
  if (!from) return { reason: "missing_sender" };
  if (!phoneNumberId) return { reason: "missing_phone_number_id" };
  const profile = objectOrEmpty(sender?.profile);
  return {
    event: {
      key: `${phoneNumberId}:${fromUserId ?? from}`,
      value: {
        eventId: inboundEventId(wamid),
        rawEventId,
        wamid,
        from,
        profileName: text(profile.name),
        phoneNumberId,
        displayPhoneNumber: text(metadata.display_phone_number),
        wabaId,
        timestamp,
        type: text(message.type) ?? "unknown",
        messageJson: JSON.stringify(message),
        ...parseMessageContent(message),
        fromWaId,
        fromUserId,
        fromParentUserId: text(message.from_parent_user_id) ?? text(sender?.parent_user_id),
        username: text(profile.username),
        system: parseSystemNotice(message.system),
        groupId: text(message.group_id),
      },
    },
  };
}

function parseStatus(
  status: Json,
  value: Json,
  wabaId: string,
  rawEventId: string,
): TypedChange<MessageStatusEvent> {
  const wamid = text(status.id);
  const state = text(status.status);
  const timestamp = secondsToMillis(status.timestamp);
  const metadata = objectOrEmpty(value.metadata);
  const phoneNumberId = text(metadata.phone_number_id);
  if (!wamid) return { reason: "missing_id" };
  if (!state) return { reason: "missing_status" };
  if (timestamp === null) return { reason: "missing_timestamp" };
  if (!phoneNumberId) return { reason: "missing_phone_number_id" };
  const conversation = isObject(status.conversation) ? status.conversation : null;
  const pricing = isObject(status.pricing) ? status.pricing : null;
  return {
    event: {
      key: wamid,
      value: {
        eventId:
          status.recipient_type === "group"
            ? groupStatusEventId(
                wamid,
                state,
                timestamp,
                text(status.recipient_participant_id) ?? text(status.recipient_participant_user_id) ?? "",
              )
            : statusEventId(wamid, state, timestamp),
        rawEventId,
        wamid,
        status: state,
        timestamp,
        recipientId: text(status.recipient_id),
        phoneNumberId,
        displayPhoneNumber: text(metadata.display_phone_number),
        wabaId,
        conversation: conversation
          ? {
              id: text(conversation.id),
              originType: text(objectOrEmpty(conversation.origin).type),
              expiration: secondsToMillis(conversation.expiration_timestamp),
            }
          : null,
        pricing: pricing
          ? {
              billable: flag(pricing.billable),
              model: text(pricing.pricing_model),
              category: text(pricing.category),
              type: text(pricing.type),
            }
          : null,
        errors: parseErrors(status.errors),
        bizOpaqueCallbackData: text(status.biz_opaque_callback_data),
        statusJson: JSON.stringify(status),
        recipientUserId: text(status.recipient_user_id),
        recipientParentUserId: text(status.recipient_parent_user_id),
        recipientType: text(status.recipient_type),
        recipientParticipantId: text(status.recipient_participant_id),
        recipientParticipantUserId: text(status.recipient_participant_user_id),
      },
    },
  };
}

/** The derived events of a delivery, by the part of the catalogue each goes to. */
type EventParts = Omit<ParsedDelivery, "raw" | "untyped" | "phoneNumberId">;

const noEventParts = (): EventParts => ({
  statuses: [],
  inboundMessages: [],
  businessEvents: [],
  templateEvents: [],
  accountEvents: [],
  businessAppMessages: [],
  callEvents: [],
  groupEvents: [],
  userPreferences: [],
  paymentStatuses: [],
});

/** The raw record's counts of derived events, each part by its own count. */
function eventCounts(parts: EventParts) {
  return {
    statusCount: parts.statuses.length,
    inboundCount: parts.inboundMessages.length,
    businessEventCount: parts.businessEvents.length,
    templateEventCount: parts.templateEvents.length,
    accountEventCount: parts.accountEvents.length,
    businessAppMessageCount: parts.businessAppMessages.length,
    callEventCount: parts.callEvents.length,
    groupEventCount: parts.groupEvents.length,
    userPreferenceCount: parts.userPreferences.length,
    paymentStatusCount: parts.paymentStatuses.length,
  };
}

/**
 * Turns one signed delivery into its raw record and the events derived from it. Pure: no I/O.
 * A body that does not parse, or has a shape we do not know, still gives a raw record (flagged), so
 * nothing Meta signed is lost; parts of a known shape that are malformed are kept as business events.
 */
export function parseDelivery(delivery: ReceivedDelivery): ParsedDelivery {
  let payload: unknown;
  let jsonParsed = true;
  let problem: string | null = null;
  try {
    payload = parseJsonLosslessly(delivery.body.toString("utf8"));
  } catch (error) {
    jsonParsed = false;
    problem = `body is not JSON: ${(error as Error).message}`;
  }
  const entries = isObject(payload) && Array.isArray(payload.entry) ? payload.entry : null;
  if (jsonParsed && !entries) problem = "body has no entry[] array: not a WhatsApp Business Account webhook";
  let events = noDerivedEvents();
  let shapeRecognized = entries !== null;
  try {
    if (entries) events = deriveEvents(entries, delivery);
  } catch (error) {
    // Valid JSON can still defeat the derivation (arrays nested thousands deep overflow JSON.stringify).
    shapeRecognized = false;
    problem = `events could not be derived: ${(error as Error).message}`;
  }
  if (problem === null && events.untyped.length > 0) problem = describeUntyped(events.untyped);

  const { untyped, firstWabaId, firstPhoneNumberId, ...parts } = events;
  const raw: RawWebhookDelivery = {
    requestId: delivery.requestId,
    receivedAt: delivery.receivedAt,
    body: delivery.body,
    signatureHeader: delivery.signatureHeader,
    contentType: delivery.contentType,
    jsonParsed,
    shapeRecognized,
    problem,
    wabaId: firstWabaId,
    untypedCount: untyped.length,
    ...eventCounts(parts),
  };
  return {
    raw: { key: firstWabaId ?? delivery.requestId, value: raw },
    ...parts,
    untyped,
    phoneNumberId: firstPhoneNumberId,
  };
}

/** The raw record's problem for objects that became no typed event: each named, the list bounded. */
export function describeUntyped(untyped: readonly UntypedObject[]): string {
  const shown = untyped.slice(0, 20).map((object) => `${object.detail} ${object.reason}`);
  const more = untyped.length > shown.length ? `; and ${untyped.length - shown.length} more` : "";
  return `${untyped.length} object(s) became no typed event: ${shown.join("; ")}${more}`;
}

/**
 * The delivery reduced to its raw record, flagged with `problem`: what is written when its events
 * cannot be encoded, so that a signed body is never lost.
 */
export function withoutDerivedEvents(delivery: ParsedDelivery, problem: string): ParsedDelivery {
  const parts = noEventParts();
  return {
    raw: {
      key: delivery.raw.key,
      value: { ...delivery.raw.value, shapeRecognized: false, problem, ...eventCounts(parts) },
    },
    ...parts,
    untyped: delivery.untyped,
    phoneNumberId: delivery.phoneNumberId,
  };
}

interface DerivedEvents extends EventParts {
  untyped: UntypedObject[];
  firstWabaId: string | null;
  firstPhoneNumberId: string | null;
}

const noDerivedEvents = (): DerivedEvents => ({
  ...noEventParts(),
  untyped: [],
  firstWabaId: null,
  firstPhoneNumberId: null,
});

/** The keys of a messages change's value this parser reads; any other is reported as untyped. */
const knownMessagesValueKeys = new Set([
  "messaging_product",
  "metadata",
  "contacts",
  "messages",
  "statuses",
  "errors",
]);

function deriveEvents(entries: unknown[], delivery: ReceivedDelivery): DerivedEvents {
  const rawEventId = delivery.requestId;
  const events = noDerivedEvents();
  const { untyped } = events;

  entries.forEach((entry, entryIndex) => {
    if (!isObject(entry)) return;
    const wabaId = text(entry.id) ?? "unknown";
    events.firstWabaId ??= text(entry.id);
    arrayOf(entry.changes).forEach((change, changeIndex) => {
      if (!isObject(change)) return;
      const field = text(change.field) ?? "unknown";
      const value = objectOrEmpty(change.value);
      events.firstPhoneNumberId ??= text(objectOrEmpty(value.metadata).phone_number_id);
      const where = `entry[${entryIndex}].changes[${changeIndex}].value`;
      if (field !== "messages") {
        const kept = businessEvent(wabaId, field, change.value, entry.time, delivery);
        events.businessEvents.push(kept);
        const fieldChange: FieldChange = {
          wabaId: text(entry.id),
          field,
          value: change.value,
          valueJson: kept.value.valueJson,
          entryTimeMillis: kept.value.entryTime,
          requestId: delivery.requestId,
          receivedAt: delivery.receivedAt,
        };
        deriveFieldEvents(fieldChange, events, where);
        return;
      }
      const before = untyped.length;
      arrayOf(value.statuses).forEach((status, index) => {
        const at = `${where}.statuses[${index}]`;
        if (!isObject(status)) untyped.push({ field: "statuses", reason: "not_an_object", detail: at });
        else if (isPaymentStatus(status))
          keepTyped(
            derivePaymentStatus(status, value, wabaId, rawEventId),
            events.paymentStatuses,
            untyped,
            "statuses",
            at,
          );
        else if (status.type !== undefined && status.type !== null && status.type !== "message")
          untyped.push({ field: "statuses", reason: "not_a_message_status", detail: at });
        else
          keepTyped(parseStatus(status, value, wabaId, rawEventId), events.statuses, untyped, "statuses", at);
      });
      arrayOf(value.messages).forEach((message, index) => {
        const parsed = isObject(message)
          ? parseInboundMessage(message, value, wabaId, rawEventId)
          : ({ reason: "not_an_object" } as const);
        keepTyped(parsed, events.inboundMessages, untyped, "messages", `${where}.messages[${index}]`);
      });
      for (const key of Object.keys(value).filter((key) => !knownMessagesValueKeys.has(key)))
        untyped.push({ field: "value", reason: "unknown_key", detail: `${where}.${key}` });
      // Value-level errors, and whatever we could not type, are kept whole as a business event.
      if (untyped.length > before || value.errors !== undefined || (!value.statuses && !value.messages)) {
        events.businessEvents.push(businessEvent(wabaId, "messages", change.value, entry.time, delivery));
      }
    });
  });
  return events;
}

/** A change of a field other than messages, typed into its topic when the catalogue has one for it. */
function deriveFieldEvents(change: FieldChange, events: DerivedEvents, where: string): void {
  const { field } = change;
  const keep = <T>(derived: TypedChange<T>[], into: Keyed<T>[]) => {
    for (const one of derived) keepTyped(one, into, events.untyped, field, where);
  };
  if (templateFields.has(field)) keep([deriveTemplateEvent(change)], events.templateEvents);
  else if (accountFields.has(field)) keep([deriveAccountEvent(change)], events.accountEvents);
  else if (businessAppFields.has(field)) keep(deriveBusinessAppMessages(change), events.businessAppMessages);
  else if (field === callField) keep(deriveCallEvents(change), events.callEvents);
  else if (groupFields.has(field)) keep(deriveGroupEvents(change), events.groupEvents);
  else if (field === userPreferenceField) keep(deriveUserPreferences(change), events.userPreferences);
}

/** A typed change goes to its topic's events; one that could not be typed is reported as untyped. */
function keepTyped<T>(
  derived: TypedChange<T>,
  events: Keyed<T>[],
  untyped: UntypedObject[],
  field: string,
  where: string,
): void {
  if ("event" in derived) events.push(derived.event);
  else untyped.push({ field, reason: derived.reason, detail: derived.at ? `${where}.${derived.at}` : where });
}

function businessEvent(
  wabaId: string,
  field: string,
  value: unknown,
  entryTime: unknown,
  delivery: ReceivedDelivery,
): Keyed<BusinessEvent> {
  const valueJson = JSON.stringify(value ?? null);
  return {
    key: wabaId,
    value: {
      eventId: businessEventId(wabaId, field, valueJson),
      rawEventId: delivery.requestId,
      wabaId,
      field,
      valueJson,
      entryTime: secondsToMillis(entryTime),
      receivedAt: delivery.receivedAt,
    },
  };
}
