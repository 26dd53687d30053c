import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { isPlainKey, isStorableValue, withoutNul } from "../../framework/storable-values";
import { conversationIdOf, phoneNumberOf } from "./customer-identity";
import { isLater, type EventStamp } from "./event-order";
import { conversationProjectionVersion } from "./projection-version";

/**
 * Read model `inbound_messages`: one document per inbound message. Besides the fields below, the
 * message's content stays under the keys Meta uses (`text`, `image`, `interactive`, `location`,
 * `contacts`, `button`, `reaction`, `order`, `context`, `referral`, `errors`, ...) when key and value are
 * plain (see isStorableValue). When any of it is not, the whole message stays as JSON text in
 * `messageJson`, so nothing is lost and the sender never chooses the document's shape. An `edit` or a
 * `revoke` of the message is folded into its document, in any order: before the message itself arrives
 * the document holds only the changes (`conversationId`, `type` and `timestamp` null: no message yet)
 * and the sender's fields of the earliest of them.
 */
export interface InboundMessageDocument {
  _id: string;
  /** Null while only an edit or revoke of the message has arrived: it counts in no conversation yet. */
  conversationId: string | null;
  from: string;
  profileName: string | null;
  phoneNumberId: string;
  wabaId: string;
  /** Null while only an edit or revoke of the message has arrived. */
  timestamp: Date | null;
  type: string | null;
  /** The whole message as Meta sent it, as JSON text, when some of it could not be stored under its keys. */
  messageJson: string | null;
  fromWaId?: string | null;
  fromUserId?: string | null;
  fromParentUserId?: string | null;
  username?: string | null;
  /** The customer's edits, oldest first; the content shown is the latest one's. */
  edits?: MessageEditEntry[];
  editedAt?: Date;
  /** Set when the customer withdrew the message: its content is gone from the read model. */
  revokedAt?: Date;
  revokeId?: string;
  projectionVersion: number;
  [metaKey: string]: unknown;
}

export interface MessageEditEntry {
  /** wamid of the edit itself. */
  id: string;
  at: Date;
  /** The edited content under Meta's keys; null once the message is withdrawn. */
  content: Record<string, unknown> | null;
  /** The edited message as JSON text when some of it could not be stored under its keys. */
  messageJson: string | null;
}

/** The fields an inbound message event must carry, not empty, to be folded (by the conversation and groups projections). */
export const requiredInboundFields = ["eventId", "wamid", "from", "phoneNumberId", "wabaId", "type"] as const;

/** Keys of Meta's message object we map to our own fields. */
const mappedKeys = new Set(["id", "from", "timestamp", "type", "from_user_id", "from_parent_user_id"]);
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
  "fromWaId",
  "fromUserId",
  "fromParentUserId",
  "username",
  "edits",
  "editedAt",
  "revokedAt",
  "revokeId",
]);
/** Every field of a message's document that is not Meta's content. */
const documentFields = new Set([...ownFields, "from", "timestamp", "type"]);

/** A Meta message object's content under its own keys where they are plain, and whether any was not. */
function storableContent(json: string | null | undefined, skip: ReadonlySet<string>) {
  let metaMessage: Record<string, unknown> = {};
  try {
    const parsed: unknown = json ? JSON.parse(json) : null;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      metaMessage = parsed as Record<string, unknown>;
  } catch {
    // The typed event fields still carry everything the ingress understood.
  }
  const content: Record<string, unknown> = {};
  let unmapped = false;
  for (const [key, value] of Object.entries(metaMessage)) {
    if (skip.has(key)) continue;
    if (isPlainKey(key) && !ownFields.has(key) && isStorableValue(value)) content[key] = withoutNul(value);
    else unmapped = true;
  }
  return { content, unmapped };
}

/** A message's content under Meta's keys (the ids, sender, time and type left out), and whether any could not be kept so. */
export const messageContentOf = (messageJson: string | null | undefined) =>
  storableContent(messageJson, mappedKeys);

/** The message's own document, before any edit or revoke. */
export function inboundMessageDocument(event: InboundMessageEvent): InboundMessageDocument {
  const { content, unmapped } = storableContent(event.messageJson, mappedKeys);
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
    fromWaId: phoneNumberOf(event),
    fromUserId: event.fromUserId ?? null,
    fromParentUserId: event.fromParentUserId ?? null,
    username: event.username ?? null,
    projectionVersion: conversationProjectionVersion,
  };
}

/** The message an edit or a revoke changes; null for any other message. */
export function changedMessageIdOf(event: InboundMessageEvent): string | null {
  if (event.type === "edit") return event.edit?.originalMessageId ?? null;
  if (event.type === "revoke") return event.revoke?.originalMessageId ?? null;
  return null;
}

/** Document id in `inbound_messages`: the message's own, or for an edit or revoke the message it changes. */
export const inboundMessageIdOf = (event: InboundMessageEvent): string =>
  changedMessageIdOf(event) ?? event.wamid;

/** The document with Meta's content keys removed (a withdrawn message keeps none). */
function withoutContent(document: InboundMessageDocument): InboundMessageDocument {
  const kept = Object.fromEntries(Object.entries(document).filter(([key]) => documentFields.has(key)));
  return { ...(kept as InboundMessageDocument), messageJson: null };
}

/** The document of a message of which only a change has arrived: the change's sender, no content. */
function changeOnlyDocument(change: InboundMessageEvent, messageId: string): InboundMessageDocument {
  return {
    ...withoutContent(inboundMessageDocument(change)),
    _id: messageId,
    conversationId: null,
    timestamp: null,
    type: null,
  };
}

/** The document with its edits and revoke applied: the latest edit's content shows, a revoke hides all. */
function withChanges(
  document: InboundMessageDocument,
  edits: readonly MessageEditEntry[],
  revoke: EventStamp | null,
): InboundMessageDocument {
  const sorted = [...edits].sort((a, b) => (isLater(a, b) ? 1 : -1));
  let next: InboundMessageDocument = { ...document };
  if (sorted.length > 0) next = { ...next, edits: sorted, editedAt: sorted[sorted.length - 1]!.at };
  if (revoke)
    return inChangeOrder({
      ...withoutContent(next),
      ...(sorted.length > 0
        ? { edits: sorted.map((edit) => ({ ...edit, content: null, messageJson: null })) }
        : {}),
      revokedAt: revoke.at,
      revokeId: revoke.id,
    });
  const latest = sorted[sorted.length - 1];
  if (latest && next.type !== null) {
    if (latest.content) Object.assign(next, latest.content);
    next.messageJson = latest.messageJson ?? next.messageJson;
  }
  return inChangeOrder(next);
}

/** The same fields in one order, the changes last, whatever order they arrived in. */
function inChangeOrder(document: InboundMessageDocument): InboundMessageDocument {
  const { edits, editedAt, revokedAt, revokeId, ...rest } = document;
  return {
    ...rest,
    ...(edits ? { edits, editedAt } : {}),
    ...(revokedAt ? { revokedAt, revokeId } : {}),
  } as InboundMessageDocument;
}

/**
 * Pure projection of one `inbound_messages` document: the message, its edits and its revoke, folded in
 * any order; `current` itself when the event is already reflected.
 */
export function evolveInboundMessage(
  current: InboundMessageDocument | null,
  event: InboundMessageEvent,
): InboundMessageDocument {
  const originalId = changedMessageIdOf(event);
  const revoke: EventStamp | null = current?.revokedAt
    ? { at: current.revokedAt, id: current.revokeId ?? "" }
    : null;
  const edits = current?.edits ?? [];
  if (originalId === null) {
    if (current && current.type !== null) return current;
    return withChanges(inboundMessageDocument(event), edits, revoke);
  }
  const change: EventStamp = { at: new Date(event.timestamp), id: event.wamid };
  const known: EventStamp[] = revoke ? [...edits, revoke] : edits;
  // Before the message, the earliest change names the sender: the same one whatever the order of arrival.
  const base =
    current && (current.type !== null || known.some((other) => !isLater(other, change)))
      ? current
      : changeOnlyDocument(event, originalId);
  if (event.type === "edit") {
    if (edits.some((edit) => edit.id === change.id)) return base;
    const { content, unmapped } = storableContent(event.edit?.messageJson, new Set(["type", "context"]));
    const entry: MessageEditEntry = {
      ...change,
      content,
      messageJson: unmapped ? (event.edit?.messageJson ?? null) : null,
    };
    return withChanges(base, [...edits, entry], revoke);
  }
  // Of two revokes the earlier stands.
  if (revoke && !isLater(revoke, change)) return base;
  return withChanges(base, edits, change);
}
