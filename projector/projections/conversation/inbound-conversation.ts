import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { isPlainKey, isStorableValue, withoutNul } from "../../framework/storable-values";

/** WhatsApp's customer-service window: free-form replies are allowed until 24 h after the latest inbound message. */
export const serviceWindowMs = 24 * 60 * 60 * 1000;
export const conversationProjectionVersion = 1;

/**
 * Read model `inbound_messages`: one document per inbound message. Besides the fields below, the
 * message's content stays under the keys Meta uses (`text`, `image`, `interactive`, `location`,
 * `contacts`, `button`, `reaction`, `order`, `context`, `referral`, `errors`, ...) when key and value are
 * plain (see isStorableValue). When any of it is not, the whole message stays as JSON text in
 * `messageJson`, so nothing is lost and the sender never chooses the document's shape.
 */
export interface InboundMessageDocument {
  _id: string;
  conversationId: string;
  from: string;
  profileName: string | null;
  phoneNumberId: string;
  wabaId: string;
  timestamp: Date;
  type: string;
  /** The whole message as Meta sent it, as JSON text, when some of it could not be stored under its keys. */
  messageJson: string | null;
  projectionVersion: number;
  [metaKey: string]: unknown;
}

/** Read model `conversations`: one document per business number and customer. */
export interface ConversationDocument {
  _id: string;
  phoneNumberId: string;
  waId: string;
  profileName: string | null;
  messageCount: number;
  firstMessageAt: Date;
  lastMessageAt: Date;
  lastMessageId: string;
  lastMessageType: string;
  lastMessagePreview: string;
  serviceWindowExpiresAt: Date;
  projectionVersion: number;
}

export const conversationIdOf = (event: Pick<InboundMessageEvent, "phoneNumberId" | "from">): string =>
  `${event.phoneNumberId}:${event.from}`;

/** Keys of Meta's message object we map to our own fields. */
const mappedKeys = new Set(["id", "from", "timestamp", "type"]);
/** Our own fields: a key of Meta's with one of these names is never stored over them. */
const ownFields = new Set([
  "_id",
  "conversationId",
  "profileName",
  "phoneNumberId",
  "wabaId",
  "messageJson",
  "projectionVersion",
  "revision",
]);

export function inboundMessageDocument(event: InboundMessageEvent): InboundMessageDocument {
  let metaMessage: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(event.messageJson);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      metaMessage = parsed as Record<string, unknown>;
  } catch {
    // The typed event fields below still carry everything the ingress understood.
  }
  const content: Record<string, unknown> = {};
  let unmapped = false;
  for (const [key, value] of Object.entries(metaMessage)) {
    if (mappedKeys.has(key)) continue;
    if (isPlainKey(key) && !ownFields.has(key) && isStorableValue(value)) content[key] = withoutNul(value);
    else unmapped = true;
  }
  return {
    ...content,
    _id: event.wamid,
    conversationId: conversationIdOf(event),
    from: event.from,
    profileName: event.profileName,
    phoneNumberId: event.phoneNumberId,
    wabaId: event.wabaId,
    timestamp: new Date(event.timestamp),
    type: event.type,
    messageJson: unmapped ? event.messageJson : null,
    projectionVersion: conversationProjectionVersion,
  };
}

/** A short human preview of a message, for conversation lists. */
export function previewOf(event: InboundMessageEvent): string {
  const clip = (text: string) => (text.length > 100 ? `${text.slice(0, 99)}…` : text);
  const media = event.image ?? event.video ?? event.document ?? event.audio ?? event.sticker;
  switch (true) {
    case event.text !== null:
      return clip(event.text!.body);
    case media !== null && Boolean(media?.caption):
      return clip(media!.caption!);
    case event.reaction !== null:
      return event.reaction!.emoji ? `Reacted ${event.reaction!.emoji}` : "Removed a reaction";
    case event.interactive !== null: {
      const reply = event.interactive!.buttonReply ?? event.interactive!.listReply;
      return clip(reply?.title ?? event.interactive!.nfmReply?.body ?? `[${event.interactive!.type}]`);
    }
    case event.button !== null:
      return clip(event.button!.text ?? event.button!.payload ?? "[button]");
    case event.location !== null:
      return clip(event.location!.name ?? event.location!.address ?? "[location]");
    case event.contacts.length > 0:
      return clip(`[contact] ${event.contacts[0]!.formattedName ?? ""}`.trim());
    case event.order !== null:
      return `[order] ${event.order!.productItems.length} item(s)`;
    default:
      return `[${event.type}]`;
  }
}

/** Total order of messages in a conversation: by time, then by wamid. */
const isLater = (a: { at: Date; id: string }, b: { at: Date; id: string }): boolean =>
  a.at.getTime() > b.at.getTime() || (a.at.getTime() === b.at.getTime() && a.id > b.id);

/**
 * Pure projection of a conversation: the document after one more inbound message, or `current` itself
 * when the message changes nothing. Every field is a minimum or a maximum over the messages, so arrival
 * order and replays do not change the result. `messageCount` is not a fold: the framework sets it to the
 * exact number of the conversation's stored messages (the projection declares it as an exact count).
 */
export function evolveConversation(
  current: ConversationDocument | null,
  message: InboundMessageEvent,
): ConversationDocument {
  const at = new Date(message.timestamp);
  const latest = {
    lastMessageAt: at,
    lastMessageId: message.wamid,
    lastMessageType: message.type,
    lastMessagePreview: previewOf(message),
    serviceWindowExpiresAt: new Date(message.timestamp + serviceWindowMs),
  };
  if (!current) {
    return {
      _id: conversationIdOf(message),
      phoneNumberId: message.phoneNumberId,
      waId: message.from,
      profileName: message.profileName,
      messageCount: 0,
      firstMessageAt: at,
      ...latest,
      projectionVersion: conversationProjectionVersion,
    };
  }
  let next = current;
  if (at < current.firstMessageAt) next = { ...next, firstMessageAt: at };
  if (isLater({ at, id: message.wamid }, { at: current.lastMessageAt, id: current.lastMessageId })) {
    next = { ...next, ...latest, profileName: message.profileName ?? current.profileName };
  } else if (
    message.wamid === current.lastMessageId &&
    (message.type !== current.lastMessageType || latest.lastMessagePreview !== current.lastMessagePreview)
  ) {
    next = { ...next, lastMessageType: message.type, lastMessagePreview: latest.lastMessagePreview };
  }
  return next === current ? current : { ...next, projectionVersion: conversationProjectionVersion };
}
