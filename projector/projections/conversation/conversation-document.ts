import type {
  BusinessAppMessageEvent,
  InboundMessageEvent,
  UserPreferenceEvent,
} from "../../../contracts/generated/types";
import { sameValues } from "../../framework/same-values";
import { isBusinessAppMessage, isInboundMessage, type ConversationEvent } from "./conversation-event";
import {
  callPermissionOf,
  laterCallPermission,
  laterDate,
  laterOptOut,
  marketingOptOutOf,
  mergeChannelFields,
  outboundAtOf,
  withoutAbsent,
  type CustomerChannelFields,
} from "./customer-channels";
import {
  conversationIdOf,
  identityFields,
  identityOf,
  type CustomerIdentity,
  type IdentityField,
} from "./customer-identity";
import { isLater, type EventStamp } from "./event-order";
import { changedMessageIdOf } from "./inbound-message";
import { editPreviewOf, previewOf } from "./message-preview";
import { conversationProjectionVersion } from "./projection-version";

/** WhatsApp's customer-service window: free-form replies are allowed until 24 h after the latest inbound message. */
export const serviceWindowMs = 24 * 60 * 60 * 1000;
/** Shown instead of a withdrawn message's content. */
export const withdrawnPreview = "[message withdrawn]";
/** At most this many changes are kept for the preview (all of them in practice: see recentChanges). */
export const keptChanges = 50;

/**
 * Read model `conversations`: one document per business number and customer, whatever ids the customer
 * used. Until the customer's first message arrives it holds only their edits and revokes: the identity,
 * `recentChanges`, and every message field null.
 */
export interface ConversationDocument extends CustomerChannelFields {
  _id: string;
  phoneNumberId: string;
  /** The customer's phone number, latest known; null while only their BSUID is known. */
  waId: string | null;
  userId: string | null;
  parentUserId: string | null;
  username: string | null;
  profileName: string | null;
  /** When each identity field above was last seen: the latest wins whatever the order of arrival. */
  identitySeenAt: Partial<Record<IdentityField, Date>>;
  messageCount: number;
  /** Null, as every field of the last message below, while no message has arrived (only changes). */
  firstMessageAt: Date | null;
  lastMessageAt: Date | null;
  lastMessageId: string | null;
  lastMessageType: string | null;
  /** The last message's preview: its own, its latest edit's, or `[message withdrawn]`. */
  lastMessagePreview: string | null;
  /** The last message's preview as it was sent, before any edit. */
  lastMessageOwnPreview: string | null;
  /**
   * Edits and revokes not older than the last message, all of them while there is none: one may concern
   * the last message, whenever it arrives.
   */
  recentChanges: ConversationChange[];
  serviceWindowExpiresAt: Date | null;
  projectionVersion: number;
}

export interface ConversationChange {
  /** The message changed. */
  messageId: string;
  /** wamid of the edit or revoke. */
  id: string;
  at: Date;
  kind: "edit" | "revoke";
  /** An edit's new preview; null for a revoke. */
  preview: string | null;
}

/** A conversation before anything is known of it: the fields every fold starts from, in their order. */
const conversationWithoutMessages = (id: string, phoneNumberId: string): ConversationDocument => ({
  _id: id,
  phoneNumberId,
  waId: null,
  userId: null,
  parentUserId: null,
  username: null,
  profileName: null,
  identitySeenAt: {},
  messageCount: 0,
  firstMessageAt: null,
  lastMessageAt: null,
  lastMessageId: null,
  lastMessageType: null,
  lastMessageOwnPreview: null,
  serviceWindowExpiresAt: null,
  lastMessagePreview: null,
  recentChanges: [],
  projectionVersion: conversationProjectionVersion,
});

/** The conversation's last message, null while it has none. */
const lastMessageOf = (document: ConversationDocument): EventStamp | null =>
  document.lastMessageAt && document.lastMessageId
    ? { at: document.lastMessageAt, id: document.lastMessageId }
    : null;

const earlierOf = (a: Date | null, b: Date | null): Date | null =>
  a === null ? b : b === null || a.getTime() <= b.getTime() ? a : b;

/** The identity fields the later sighting wins, field by field (a tie goes to the larger value). */
function withIdentity(
  document: ConversationDocument,
  identity: CustomerIdentity,
  seenAt: Partial<Record<IdentityField, Date>>,
): ConversationDocument {
  let next = document;
  for (const field of identityFields) {
    const value = identity[field];
    const at = seenAt[field];
    if (value === null || value === undefined || at === undefined) continue;
    const known = next.identitySeenAt?.[field];
    const wins =
      known === undefined ||
      at.getTime() > known.getTime() ||
      (at.getTime() === known.getTime() && value > (next[field] ?? ""));
    if (!wins || (next[field] === value && known?.getTime() === at.getTime())) continue;
    next = { ...next, [field]: value, identitySeenAt: { ...next.identitySeenAt, [field]: at } };
  }
  return next;
}

const seenAtAll = (at: Date): Record<IdentityField, Date> =>
  Object.fromEntries(identityFields.map((field) => [field, at])) as Record<IdentityField, Date>;

/** The conversation with one more message: the earliest time, and the latest message's fields. */
function withMessage(document: ConversationDocument, message: InboundMessageEvent): ConversationDocument {
  const at = new Date(message.timestamp);
  const last = lastMessageOf(document);
  let next = document;
  if (document.firstMessageAt === null || at < document.firstMessageAt)
    next = { ...next, firstMessageAt: at };
  if (last === null || isLater({ at, id: message.wamid }, last) || message.wamid === last.id)
    next = {
      ...next,
      lastMessageAt: at,
      lastMessageId: message.wamid,
      lastMessageType: message.type,
      lastMessageOwnPreview: previewOf(message),
      serviceWindowExpiresAt: new Date(message.timestamp + serviceWindowMs),
    };
  return next;
}

/** The change an edit or a revoke makes to the message `messageId`. */
const changeOf = (event: InboundMessageEvent, messageId: string): ConversationChange => ({
  messageId,
  id: event.wamid,
  at: new Date(event.timestamp),
  kind: event.type === "revoke" ? "revoke" : "edit",
  preview: event.type === "revoke" ? null : editPreviewOf(event),
});

/**
 * The preview after the changes: the last message's own preview (`lastMessageOwnPreview`), its latest
 * edit's, or the withdrawn mark; and only the changes that can still concern the last message (those
 * not older than it, all of them while there is none), the latest `keptChanges` of them.
 */
function withConversationChanges(
  document: ConversationDocument,
  changes: readonly ConversationChange[],
): ConversationDocument {
  const last = lastMessageOf(document);
  const byId = new Map(changes.map((change) => [change.id, change]));
  const kept = [...byId.values()]
    .filter((change) => last === null || change.at.getTime() >= last.at.getTime())
    .sort((a, b) => (isLater(a, b) ? 1 : -1))
    .slice(-keptChanges);
  if (last === null) return { ...document, lastMessagePreview: null, recentChanges: kept };
  const ofLast = kept.filter((change) => change.messageId === last.id);
  const revoked = ofLast.some((change) => change.kind === "revoke");
  const edited = ofLast.filter((change) => change.kind === "edit" && change.preview !== null).pop();
  const preview = revoked ? withdrawnPreview : (edited?.preview ?? document.lastMessageOwnPreview);
  return { ...document, lastMessagePreview: preview, recentChanges: kept };
}

/**
 * Pure projection of a conversation: the document after one more inbound message, edit or revoke, or
 * `current` itself when the event changes nothing. Every field is a minimum, a maximum, the latest
 * sighting or the set of recent changes, so arrival order and replays do not change the result: a change
 * that comes before any message is kept until the message it may concern arrives. `messageCount` is not
 * a fold: the framework sets it to the exact number of the conversation's stored messages (the projection
 * declares it as an exact count), and edits and revokes are no messages.
 */
export function evolveConversation(
  current: ConversationDocument | null,
  event: InboundMessageEvent,
): ConversationDocument {
  const at = new Date(event.timestamp);
  const start = current ?? conversationWithoutMessages(conversationIdOf(event), event.phoneNumberId);
  const known = withIdentity(start, identityOf(event), seenAtAll(at));
  const changed = changedMessageIdOf(event);
  const recentChanges = known.recentChanges ?? [];
  const next =
    changed === null
      ? withConversationChanges(withMessage(known, event), recentChanges)
      : withConversationChanges(known, [...recentChanges, changeOf(event, changed)]);
  const callPermission = laterCallPermission(next.callPermission, callPermissionOf(event));
  return versioned(current, { ...next, ...withoutAbsent({ callPermission }) });
}

/** The document with the projection's version, or `current` itself when nothing changed. */
function versioned(current: ConversationDocument | null, next: ConversationDocument): ConversationDocument {
  const document = { ...next, projectionVersion: conversationProjectionVersion };
  return current && sameValues(document, current) ? current : document;
}

/**
 * A message the business sent or imported from the WhatsApp Business app: it names the customer and
 * moves `lastOutboundMessageAt`, never the inbound fields, the count or the service window.
 */
function withBusinessAppMessage(
  current: ConversationDocument | null,
  id: string,
  message: BusinessAppMessageEvent,
): ConversationDocument {
  let next = current ?? conversationWithoutMessages(id, message.phoneNumberId);
  if (message.timestamp !== null) {
    const identity = {
      waId: message.customerWaId,
      userId: message.customerUserId,
      parentUserId: message.customerParentUserId,
      username: message.username,
      profileName: message.profileName,
    };
    next = withIdentity(next, identity, seenAtAll(new Date(message.timestamp)));
  }
  const lastOutboundMessageAt = laterDate(next.lastOutboundMessageAt, outboundAtOf(message));
  return versioned(current, { ...next, ...withoutAbsent({ lastOutboundMessageAt }) });
}

/** A marketing stop or resume: the latest by Meta's time stands, whatever the order of arrival. */
function withPreference(
  current: ConversationDocument | null,
  id: string,
  preference: UserPreferenceEvent,
): ConversationDocument {
  const identity = {
    waId: preference.waId,
    userId: preference.userId,
    parentUserId: preference.parentUserId,
    username: preference.username,
    profileName: preference.profileName,
  };
  const start = current ?? conversationWithoutMessages(id, preference.phoneNumberId);
  const known = withIdentity(start, identity, seenAtAll(new Date(preference.timestamp)));
  const marketingOptOut = laterOptOut(known.marketingOptOut, marketingOptOutOf(preference));
  return versioned(current, { ...known, ...withoutAbsent({ marketingOptOut }) });
}

/** Pure projection of a conversation for any event the conversation projection folds. */
export function evolveConversationWith(
  current: ConversationDocument | null,
  event: ConversationEvent,
): ConversationDocument {
  if (isInboundMessage(event)) return evolveConversation(current, event.message);
  if (isBusinessAppMessage(event))
    return withBusinessAppMessage(current, event.conversationId, event.businessAppMessage);
  return withPreference(current, event.conversationId, event.preference);
}

/**
 * Two conversations of one customer joined (their ids turned out to name the same person): commutative,
 * associative and idempotent, like the fold; `a`'s id is kept. Either may hold only changes.
 */
export function mergeConversations(a: ConversationDocument, b: ConversationDocument): ConversationDocument {
  const lastOfA = lastMessageOf(a);
  const lastOfB = lastMessageOf(b);
  const later = lastOfB !== null && (lastOfA === null || isLater(lastOfB, lastOfA)) ? b : a;
  const merged: ConversationDocument = {
    ...a,
    messageCount: Math.max(a.messageCount, b.messageCount),
    firstMessageAt: earlierOf(a.firstMessageAt, b.firstMessageAt),
    lastMessageAt: later.lastMessageAt,
    lastMessageId: later.lastMessageId,
    lastMessageType: later.lastMessageType,
    lastMessageOwnPreview: later.lastMessageOwnPreview,
    serviceWindowExpiresAt: later.serviceWindowExpiresAt,
    ...mergeChannelFields(a, b),
    projectionVersion: conversationProjectionVersion,
  };
  return withConversationChanges(withIdentity(merged, b, b.identitySeenAt ?? {}), [
    ...(a.recentChanges ?? []),
    ...(b.recentChanges ?? []),
  ]);
}
