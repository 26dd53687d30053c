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

/**
 * The event in the shape the message fold reads (evolveInboundMessage uses the ids, the sender, time,
 * type, messageJson, edit and revoke): the content fields of both records are the same.
 */
const asMessageEvent = (event: BusinessAppMessageEvent): InboundMessageEvent =>
  ({
    ...event,
    ...senderOf(event),
    profileName: event.direction === "outbound" ? null : event.profileName,
    timestamp: event.timestamp ?? 0,
    system: null,
    groupId: null,
  }) as unknown as InboundMessageEvent;

/** The message document an event of this topic folds into: its own, or the one its edit or revoke changes. */
export const businessAppMessageIdOf = (event: BusinessAppMessageEvent): string =>
  changedMessageIdOf(asMessageEvent(event)) ?? event.wamid;

/** The fields this read model adds to a message document: the message's own win over a change's. */
function withOrigin(
  folded: InboundMessageDocument,
  current: BusinessAppMessageDocument | null,
  event: BusinessAppMessageEvent,
): BusinessAppMessageDocument {
  const own = changedMessageIdOf(asMessageEvent(event)) === null || current === null;
  const origin = own ? event : null;
  return {
    ...folded,
    direction: origin?.direction ?? current!.direction,
    source: origin?.source ?? current!.source,
    customerWaId: origin ? event.customerWaId : current!.customerWaId,
    customerUserId: origin ? event.customerUserId : current!.customerUserId,
    customerParentUserId: origin ? event.customerParentUserId : current!.customerParentUserId,
    history: (own ? event.history : null) ?? current?.history ?? null,
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
  const folded = evolveInboundMessage(current, asMessageEvent(event));
  if (folded === current) return current;
  const next = withOrigin(folded, current, event);
  return current && sameValues(next, current) ? current : next;
}
