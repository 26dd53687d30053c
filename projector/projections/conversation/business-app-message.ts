import type { BusinessAppMessageEvent, InboundMessageEvent } from "../../../contracts/generated/types";
import { sameValues } from "../../framework/same-values";
import {
  changedMessageIdOf,
  evolveInboundMessage,
  messageContentOf,
  type InboundMessageDocument,
} from "./inbound-message";
import { conversationProjectionVersion } from "./projection-version";

/**
 * Read model `business_app_messages`: one document per message of a number shared with the WhatsApp
 * Business app ("coexistence"): the echoes of what the business sends from the app, and the chat
 * history Meta imports when the number is onboarded. Folded like `inbound_messages` (content under
 * Meta's keys, edits and revokes in any order), plus where it came from and whose conversation it is in.
 */
export interface BusinessAppMessageDocument extends InboundMessageDocument {
  /** `outbound`: the business sent it; `inbound`: the customer did (history only). */
  direction: string;
  /** `echo` (sent from the app now) or `history` (imported). */
  source: string;
  customerWaId: string | null;
  customerUserId: string | null;
  customerParentUserId: string | null;
  /** Meta's import context: phase (0: day 0-1, 1: day 1-90, 2: day 90-180), chunk, progress, delivery status. */
  history: BusinessAppMessageEvent["history"];
  /** A media placeholder's media, which Meta delivers later in a `history` webhook of its own. */
  media?: HistoryMedia;
}

export interface HistoryMedia {
  type: string;
  /** The media message's content under Meta's keys (`image`, `video`, ...). */
  content: Record<string, unknown>;
  /** The media message as JSON text when some of it could not be stored under its keys. */
  messageJson: string | null;
  eventId: string;
}

const isMediaDelivery = (event: BusinessAppMessageEvent): boolean => event.source === "history_media";

/** The message's sender as a message document names it: the business number, or the customer. */
function senderOf(event: BusinessAppMessageEvent) {
  if (event.direction === "outbound") {
    const business = event.displayPhoneNumber ?? event.phoneNumberId;
    return { from: business, fromWaId: business, fromUserId: null, fromParentUserId: null, username: null };
  }
  return {
    from: (event.customerWaId ?? event.customerUserId)!,
    fromWaId: event.customerWaId,
    fromUserId: event.customerUserId,
    fromParentUserId: event.customerParentUserId,
    username: event.username,
  };
}

/** The message as Meta sent it without `history_context`, which `history` holds: copies then have one content. */
function withoutHistoryContext(messageJson: string): string {
  if (!messageJson.includes('"history_context"')) return messageJson;
  try {
    const { history_context: _context, ...message } = JSON.parse(messageJson) as Record<string, unknown>;
    return JSON.stringify(message);
  } catch {
    return messageJson;
  }
}

/**
 * The event in the shape the message fold reads (evolveInboundMessage uses the ids, the sender, time,
 * type, messageJson, edit and revoke): the content fields of both records are the same.
 */
const asMessageEvent = (event: BusinessAppMessageEvent): InboundMessageEvent =>
  ({
    ...event,
    messageJson: withoutHistoryContext(event.messageJson),
    ...senderOf(event),
    profileName: event.direction === "outbound" ? null : event.profileName,
    timestamp: event.timestamp ?? 0,
    system: null,
    groupId: null,
  }) as unknown as InboundMessageEvent;

/** The message document an event of this topic folds into: its own, or the one its edit or revoke changes. */
export const businessAppMessageIdOf = (event: BusinessAppMessageEvent): string =>
  changedMessageIdOf(asMessageEvent(event)) ?? event.wamid;

/** Of two values, the one present; of two present, the larger: the same whichever came first. */
function either<T>(a: T | null | undefined, b: T | null | undefined, key: (value: T) => string): T | null {
  if (a === null || a === undefined) return b ?? null;
  if (b === null || b === undefined) return a;
  return key(a) >= key(b) ? a : b;
}
const asText = (value: string) => value;

/**
 * The fields this read model adds to a message document. A change (edit, revoke) keeps the message's;
 * copies of one message (an echo and its history import, a chunk Meta resent with other metadata) are
 * joined field by field so that any order of arrival gives the same document.
 */
function withOrigin(
  folded: InboundMessageDocument,
  current: BusinessAppMessageDocument | null,
  event: BusinessAppMessageEvent,
): BusinessAppMessageDocument {
  const isChange = changedMessageIdOf(asMessageEvent(event)) !== null;
  if (isChange && current) {
    const { direction, source, customerWaId, customerUserId, customerParentUserId, history, media } = current;
    const origin = { direction, source, customerWaId, customerUserId, customerParentUserId, history };
    return { ...folded, ...origin, ...(media ? { media } : {}) };
  }
  const copy = current !== null && current.type !== null;
  return {
    ...folded,
    direction: copy ? current.direction : event.direction,
    // The live echo of a message is what the business sent; its history import is a copy of it.
    source: copy && current.source === "echo" ? "echo" : event.source,
    customerWaId: either(current?.customerWaId, event.customerWaId, asText),
    customerUserId: either(current?.customerUserId, event.customerUserId, asText),
    customerParentUserId: either(current?.customerParentUserId, event.customerParentUserId, asText),
    history: either(current?.history, event.history, (history) => JSON.stringify(history)),
    ...(current?.media ? { media: current.media } : {}),
  };
}

/** A later media delivery for a placeholder: kept under `media`, before or after the placeholder arrives. */
function withMedia(
  current: BusinessAppMessageDocument | null,
  event: BusinessAppMessageEvent,
): BusinessAppMessageDocument {
  const { content, unmapped } = messageContentOf(event.messageJson);
  const media: HistoryMedia = {
    type: event.type,
    content,
    messageJson: unmapped ? event.messageJson : null,
    eventId: event.eventId,
  };
  // Of two media deliveries for one message, the larger event id stands: any order gives the same.
  if (current?.media && current.media.eventId >= media.eventId) return current;
  if (current) return { ...current, media };
  const { from, fromWaId, fromUserId, fromParentUserId, username } = senderOf(event);
  return {
    _id: event.wamid,
    conversationId: null,
    from,
    profileName: null,
    phoneNumberId: event.phoneNumberId,
    wabaId: event.wabaId,
    timestamp: null,
    type: null,
    messageJson: null,
    fromWaId,
    fromUserId,
    fromParentUserId,
    username,
    projectionVersion: conversationProjectionVersion,
    direction: event.direction,
    source: "history",
    customerWaId: event.customerWaId,
    customerUserId: event.customerUserId,
    customerParentUserId: event.customerParentUserId,
    history: null,
    media,
  };
}

/**
 * Pure projection of one `business_app_messages` document: the message, its edits, its revoke and its
 * later media, folded in any order; `current` itself when the event is already reflected. Until the
 * message itself arrives the document names no conversation (`conversationId`, `type`, `timestamp` null).
 */
export function evolveBusinessAppMessage(
  current: BusinessAppMessageDocument | null,
  event: BusinessAppMessageEvent,
): BusinessAppMessageDocument {
  if (isMediaDelivery(event)) return withMedia(current, event);
  const message = asMessageEvent(event);
  // The live echo's content stands over its history import's, whichever came first.
  const replaces =
    current !== null &&
    current.type !== null &&
    changedMessageIdOf(message) === null &&
    event.source === "echo" &&
    current.source !== "echo";
  const folded = evolveInboundMessage(replaces ? { ...current, type: null } : current, message);
  const next = withOrigin(folded, current, event);
  return current && sameValues(next, current) ? current : next;
}
