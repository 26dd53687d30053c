import type { InboundMessageEvent } from "../../contracts/generated/types";

/** WhatsApp's customer-service window: free-form replies are allowed until 24 h after the latest inbound message. */
export const serviceWindowMs = 24 * 60 * 60 * 1000;
export const conversationProjectionVersion = 1;

/**
 * Read model `inbound_messages`: one document per inbound message. Besides the fields below, the
 * message's content stays under the keys Meta uses (`text`, `image`, `interactive`, `location`,
 * `contacts`, `button`, `reaction`, `order`, `context`, `referral`, `errors`, ...), so nothing is lost.
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
  revision: number;
  projectionVersion: number;
}

export const conversationIdOf = (event: Pick<InboundMessageEvent, "phoneNumberId" | "from">): string =>
  `${event.phoneNumberId}:${event.from}`;

/** Keys of Meta's message object we map to our own fields; every other key is kept as Meta sent it. */
const mappedKeys = new Set(["id", "from", "timestamp", "type"]);

export function inboundMessageDocument(event: InboundMessageEvent): InboundMessageDocument {
  let metaMessage: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(event.messageJson);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      metaMessage = parsed as Record<string, unknown>;
  } catch {
    // The typed event fields below still carry everything the ingress understood.
  }
  const content = Object.fromEntries(Object.entries(metaMessage).filter(([key]) => !mappedKeys.has(key)));
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
 * Pure projection of a conversation: the current document, newly seen messages (any order, duplicates
 * allowed) and the exact count of distinct messages stored for it give the next document. Every field
 * is a minimum, a maximum or a count, so arrival order and replays do not change the result.
 */
export function evolveConversation(
  current: ConversationDocument | null,
  messages: readonly InboundMessageEvent[],
  distinctMessageCount: number,
): ConversationDocument {
  if (messages.length === 0 && current) return { ...current, messageCount: distinctMessageCount };
  const first = messages[0]!;
  let doc: ConversationDocument = current ?? {
    _id: conversationIdOf(first),
    phoneNumberId: first.phoneNumberId,
    waId: first.from,
    profileName: first.profileName,
    messageCount: 0,
    firstMessageAt: new Date(first.timestamp),
    lastMessageAt: new Date(first.timestamp),
    lastMessageId: first.wamid,
    lastMessageType: first.type,
    lastMessagePreview: previewOf(first),
    serviceWindowExpiresAt: new Date(first.timestamp + serviceWindowMs),
    revision: 0,
    projectionVersion: conversationProjectionVersion,
  };
  for (const message of messages) {
    const at = new Date(message.timestamp);
    if (at < doc.firstMessageAt) doc = { ...doc, firstMessageAt: at };
    if (isLater({ at, id: message.wamid }, { at: doc.lastMessageAt, id: doc.lastMessageId })) {
      doc = {
        ...doc,
        profileName: message.profileName ?? doc.profileName,
        lastMessageAt: at,
        lastMessageId: message.wamid,
        lastMessageType: message.type,
        lastMessagePreview: previewOf(message),
        serviceWindowExpiresAt: new Date(message.timestamp + serviceWindowMs),
      };
    } else if (message.wamid === doc.lastMessageId) {
      doc = { ...doc, lastMessageType: message.type, lastMessagePreview: previewOf(message) };
    }
  }
  return { ...doc, messageCount: distinctMessageCount, projectionVersion: conversationProjectionVersion };
}
