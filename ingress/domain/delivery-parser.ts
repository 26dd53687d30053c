import type {
  BusinessAppMessageEvent,
  BusinessEvent,
  CallEvent,
  Contact,
  GroupEvent,
  PaymentStatusEvent,
  UserPreferenceEvent,
  InboundMessageEvent,
  Media,
  MessageStatusEvent,
  RawWebhookDelivery,
  TemplateEvent,
  AccountEvent,
  WhatsAppError,
} from "../../contracts/generated/types";
import { accountFields, deriveAccountEvent } from "./account-events";
import { sha256Hex } from "./event-ids";
import {
  arrayOf,
  decimal,
  flag,
  isObject,
  objectOrEmpty,
  parseJsonLosslessly,
  secondsToMillis,
  text,
  type Json,
} from "./meta-json";
import { deriveTemplateEvent, templateFields } from "./template-events";
import type { FieldChange, TypedChange } from "./typed-change";

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
export const inboundEventId = (wamid: string): string => sha256Hex("inbound", wamid);
export const businessEventId = (wabaId: string, field: string, valueJson: string): string =>
  sha256Hex("business", wabaId, field, valueJson);

export function parseErrors(value: unknown): WhatsAppError[] {
  return arrayOf(value)
    .filter(isObject)
    .map((error) => ({
      code: decimal(error.code),
      title: text(error.title),
      message: text(error.message),
      details: text(objectOrEmpty(error.error_data).details),
      href: text(error.href),
    }));
}

function parseMedia(value: unknown): Media | null {
  if (!isObject(value)) return null;
  return {
    id: text(value.id),
    mimeType: text(value.mime_type),
    sha256: text(value.sha256),
    caption: text(value.caption),
    filename: text(value.filename),
    voice: flag(value.voice),
    animated: flag(value.animated),
  };
}

function parseContacts(value: unknown): Contact[] {
  return arrayOf(value)
    .filter(isObject)
    .map((contact) => {
      const name = objectOrEmpty(contact.name);
      return {
        formattedName: text(name.formatted_name),
        firstName: text(name.first_name),
        lastName: text(name.last_name),
        phones: arrayOf(contact.phones)
          .filter(isObject)
          .map((phone) => ({ phone: text(phone.phone), waId: text(phone.wa_id), type: text(phone.type) })),
        emails: arrayOf(contact.emails)
          .filter(isObject)
          .map((email) => ({ email: text(email.email), type: text(email.type) })),
      };
    });
}

function parseInteractive(value: unknown): InboundMessageEvent["interactive"] {
  if (!isObject(value)) return null;
  const button = value.button_reply;
  const list = value.list_reply;
  const flow = value.nfm_reply;
  const permission = value.call_permission_reply;
  return {
    type: text(value.type) ?? "unknown",
    buttonReply: isObject(button) ? { id: text(button.id), title: text(button.title) } : null,
    listReply: isObject(list)
      ? { id: text(list.id), title: text(list.title), description: text(list.description) }
      : null,
    nfmReply: isObject(flow)
      ? { name: text(flow.name), body: text(flow.body), responseJson: text(flow.response_json) }
      : null,
    callPermissionReply: isObject(permission)
      ? {
          response: text(permission.response),
          isPermanent: flag(permission.is_permanent),
          expirationTimestamp: secondsToMillis(permission.expiration_timestamp),
          responseSource: text(permission.response_source),
        }
      : null,
  };
}

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
  | "wrong_type";

/** An object of a signed delivery that became no typed event (it stays in the raw record and a business event). */
export interface UntypedObject {
  /**
   * Where it sat: `messages`, `statuses`, `value` for a key of a messages change's value, or the
   * template or account field whose change it was.
   */
  field: string;
  reason: UntypedReason;
  /** For the log line: its position, and the key for unknown_key. */
  detail: string;
}

type Parsed<T> = { event: Keyed<T> } | { reason: UntypedReason };

/** The sender's entry of value.contacts: by phone number, by BSUID, or the only one there is. */
function senderContact(contacts: unknown, from: string | null, fromUserId: string | null): Json | undefined {
  const entries = arrayOf(contacts).filter(isObject);
  const byId = entries.find(
    (contact) =>
      (from !== null && text(contact.wa_id) === from) ||
      (fromUserId !== null && text(contact.user_id) === fromUserId),
  );
  return byId ?? (entries.length === 1 ? entries[0] : undefined);
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
): Parsed<InboundMessageEvent> {
  const wamid = text(message.id);
  const timestamp = secondsToMillis(message.timestamp);
  const metadata = objectOrEmpty(value.metadata);
  const phoneNumberId = text(metadata.phone_number_id);
  const fromWaId = text(message.from);
  const sender = senderContact(value.contacts, fromWaId, text(message.from_user_id));
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
  const edit = isObject(message.edit) ? message.edit : null;
  const revoke = isObject(message.revoke) ? message.revoke : null;
  const location = isObject(message.location) ? message.location : null;
  const button = isObject(message.button) ? message.button : null;
  const reaction = isObject(message.reaction) ? message.reaction : null;
  const order = isObject(message.order) ? message.order : null;
  const context = isObject(message.context) ? message.context : null;
  const referral = isObject(message.referral) ? message.referral : null;
  const textPart = isObject(message.text) ? message.text : null;
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
        text: textPart && typeof textPart.body === "string" ? { body: textPart.body } : null,
        image: parseMedia(message.image),
        video: parseMedia(message.video),
        audio: parseMedia(message.audio),
        document: parseMedia(message.document),
        sticker: parseMedia(message.sticker),
        location: location
          ? {
              latitude: decimal(location.latitude),
              longitude: decimal(location.longitude),
              name: text(location.name),
              address: text(location.address),
              url: text(location.url),
            }
          : null,
        contacts: parseContacts(message.contacts),
        interactive: parseInteractive(message.interactive),
        button: button ? { payload: text(button.payload), text: text(button.text) } : null,
        reaction: reaction ? { messageId: text(reaction.message_id), emoji: text(reaction.emoji) } : null,
        order: order
          ? {
              catalogId: text(order.catalog_id),
              text: text(order.text),
              productItems: arrayOf(order.product_items)
                .filter(isObject)
                .map((item) => ({
                  productRetailerId: text(item.product_retailer_id),
                  quantity: decimal(item.quantity),
                  itemPrice: decimal(item.item_price),
                  currency: text(item.currency),
                })),
            }
          : null,
        context: context
          ? {
              from: text(context.from),
              id: text(context.id),
              forwarded: flag(context.forwarded),
              frequentlyForwarded: flag(context.frequently_forwarded),
              referredProductJson: context.referred_product ? JSON.stringify(context.referred_product) : null,
            }
          : null,
        referral: referral
          ? {
              sourceUrl: text(referral.source_url),
              sourceId: text(referral.source_id),
              sourceType: text(referral.source_type),
              headline: text(referral.headline),
              body: text(referral.body),
              mediaType: text(referral.media_type),
              imageUrl: text(referral.image_url),
              videoUrl: text(referral.video_url),
              thumbnailUrl: text(referral.thumbnail_url),
              ctwaClid: text(referral.ctwa_clid),
            }
          : null,
        errors: parseErrors(message.errors),
        fromWaId,
        fromUserId,
        fromParentUserId: text(message.from_parent_user_id) ?? text(sender?.parent_user_id),
        username: text(profile.username),
        system: parseSystemNotice(message.system),
        edit: edit
          ? {
              originalMessageId: text(edit.original_message_id),
              messageJson: edit.message === undefined ? null : JSON.stringify(edit.message),
            }
          : null,
        revoke: revoke ? { originalMessageId: text(revoke.original_message_id) } : null,
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
): Parsed<MessageStatusEvent> {
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
        eventId: statusEventId(wamid, state, timestamp),
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
  let events: DerivedEvents = {
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
    untyped: [],
    firstWabaId: null,
    firstPhoneNumberId: null,
  };
  let shapeRecognized = entries !== null;
  try {
    if (entries) events = deriveEvents(entries, delivery);
  } catch (error) {
    // Valid JSON can still defeat the derivation (arrays nested thousands deep overflow JSON.stringify).
    shapeRecognized = false;
    problem = `events could not be derived: ${(error as Error).message}`;
  }
  if (problem === null && events.untyped.length > 0) problem = describeUntyped(events.untyped);

  const raw: RawWebhookDelivery = {
    requestId: delivery.requestId,
    receivedAt: delivery.receivedAt,
    body: delivery.body,
    signatureHeader: delivery.signatureHeader,
    contentType: delivery.contentType,
    jsonParsed,
    shapeRecognized,
    problem,
    wabaId: events.firstWabaId,
    statusCount: events.statuses.length,
    inboundCount: events.inboundMessages.length,
    businessEventCount: events.businessEvents.length,
    untypedCount: events.untyped.length,
    templateEventCount: events.templateEvents.length,
    accountEventCount: events.accountEvents.length,
    businessAppMessageCount: events.businessAppMessages.length,
    callEventCount: events.callEvents.length,
    groupEventCount: events.groupEvents.length,
    userPreferenceCount: events.userPreferences.length,
    paymentStatusCount: events.paymentStatuses.length,
  };
  return {
    raw: { key: events.firstWabaId ?? delivery.requestId, value: raw },
    statuses: events.statuses,
    inboundMessages: events.inboundMessages,
    businessEvents: events.businessEvents,
    templateEvents: events.templateEvents,
    accountEvents: events.accountEvents,
    businessAppMessages: events.businessAppMessages,
    callEvents: events.callEvents,
    groupEvents: events.groupEvents,
    userPreferences: events.userPreferences,
    paymentStatuses: events.paymentStatuses,
    untyped: events.untyped,
    phoneNumberId: events.firstPhoneNumberId,
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
  return {
    raw: {
      key: delivery.raw.key,
      value: {
        ...delivery.raw.value,
        shapeRecognized: false,
        problem,
        statusCount: 0,
        inboundCount: 0,
        businessEventCount: 0,
        templateEventCount: 0,
        accountEventCount: 0,
        businessAppMessageCount: 0,
        callEventCount: 0,
        groupEventCount: 0,
        userPreferenceCount: 0,
        paymentStatusCount: 0,
      },
    },
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
    untyped: delivery.untyped,
    phoneNumberId: delivery.phoneNumberId,
  };
}

interface DerivedEvents extends Omit<ParsedDelivery, "raw" | "phoneNumberId"> {
  firstWabaId: string | null;
  firstPhoneNumberId: string | null;
}

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
  const statuses: Keyed<MessageStatusEvent>[] = [];
  const inboundMessages: Keyed<InboundMessageEvent>[] = [];
  const businessEvents: Keyed<BusinessEvent>[] = [];
  const templateEvents: Keyed<TemplateEvent>[] = [];
  const accountEvents: Keyed<AccountEvent>[] = [];
  const untyped: UntypedObject[] = [];
  let firstWabaId: string | null = null;
  let firstPhoneNumberId: string | null = null;

  entries.forEach((entry, entryIndex) => {
    if (!isObject(entry)) return;
    const wabaId = text(entry.id) ?? "unknown";
    firstWabaId ??= text(entry.id);
    arrayOf(entry.changes).forEach((change, changeIndex) => {
      if (!isObject(change)) return;
      const field = text(change.field) ?? "unknown";
      const value = objectOrEmpty(change.value);
      firstPhoneNumberId ??= text(objectOrEmpty(value.metadata).phone_number_id);
      const where = `entry[${entryIndex}].changes[${changeIndex}].value`;
      if (field !== "messages") {
        const kept = businessEvent(wabaId, field, change.value, entry.time, delivery);
        businessEvents.push(kept);
        const fieldChange: FieldChange = {
          wabaId: text(entry.id),
          field,
          value: change.value,
          valueJson: kept.value.valueJson,
          entryTimeMillis: kept.value.entryTime,
          requestId: delivery.requestId,
          receivedAt: delivery.receivedAt,
        };
        if (templateFields.has(field))
          keepTyped(deriveTemplateEvent(fieldChange), templateEvents, untyped, field, where);
        else if (accountFields.has(field))
          keepTyped(deriveAccountEvent(fieldChange), accountEvents, untyped, field, where);
        return;
      }
      const before = untyped.length;
      arrayOf(value.statuses).forEach((status, index) => {
        const parsed = isObject(status) ? parseStatus(status, value, wabaId, rawEventId) : null;
        if (parsed && "event" in parsed) statuses.push(parsed.event);
        else
          untyped.push({
            field: "statuses",
            reason: parsed?.reason ?? "not_an_object",
            detail: `${where}.statuses[${index}]`,
          });
      });
      arrayOf(value.messages).forEach((message, index) => {
        const parsed = isObject(message) ? parseInboundMessage(message, value, wabaId, rawEventId) : null;
        if (parsed && "event" in parsed) inboundMessages.push(parsed.event);
        else
          untyped.push({
            field: "messages",
            reason: parsed?.reason ?? "not_an_object",
            detail: `${where}.messages[${index}]`,
          });
      });
      for (const key of Object.keys(value).filter((key) => !knownMessagesValueKeys.has(key)))
        untyped.push({ field: "value", reason: "unknown_key", detail: `${where}.${key}` });
      // Value-level errors, and whatever we could not type, are kept whole as a business event.
      if (untyped.length > before || value.errors !== undefined || (!value.statuses && !value.messages)) {
        businessEvents.push(businessEvent(wabaId, "messages", change.value, entry.time, delivery));
      }
    });
  });
  return {
    statuses,
    inboundMessages,
    businessEvents,
    templateEvents,
    accountEvents,
    businessAppMessages: [],
    callEvents: [],
    groupEvents: [],
    userPreferences: [],
    paymentStatuses: [],
    untyped,
    firstWabaId,
    firstPhoneNumberId,
  };
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
