import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { isPlainKey, isStorableValue, withoutNul } from "../../framework/storable-values";
import { sameValues } from "../../framework/same-values";

/** WhatsApp's customer-service window: free-form replies are allowed until 24 h after the latest inbound message. */
export const serviceWindowMs = 24 * 60 * 60 * 1000;
export const conversationProjectionVersion = 1;

/**
 * Read model `inbound_messages`: one document per inbound message. Besides the fields below, the
 * message's content stays under the keys Meta uses (`text`, `image`, `interactive`, `location`,
 * `contacts`, `button`, `reaction`, `order`, `context`, `referral`, `errors`, ...) when key and value are
 * plain (see isStorableValue). When any of it is not, the whole message stays as JSON text in
 * `messageJson`, so nothing is lost and the sender never chooses the document's shape. An `edit` or a
 * `revoke` of the message is folded into its document, in any order: before the message itself arrives
 * the document holds only the change (`conversationId`, `type` and `timestamp` null: no message yet).
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

/** Read model `conversations`: one document per business number and customer, whatever ids the customer used. */
export interface ConversationDocument {
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
  firstMessageAt: Date;
  lastMessageAt: Date;
  lastMessageId: string;
  lastMessageType: string;
  /** The last message's preview: its own, its latest edit's, or `[message withdrawn]`. */
  lastMessagePreview: string;
  /** The last message's preview as it was sent, before any edit. */
  lastMessageOwnPreview: string;
  /** Edits and revokes not older than the last message (one may concern it, whenever it arrives). */
  recentChanges: ConversationChange[];
  serviceWindowExpiresAt: Date;
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

const identityFields = ["waId", "userId", "parentUserId", "username", "profileName"] as const;
export type IdentityField = (typeof identityFields)[number];
type Identity = Partial<Record<IdentityField, string | null>>;

/**
 * The customer's phone number in a message: `fromWaId`, or `from` in records written before the
 * identity fields existed (no `fromUserId` then, and `from` was always the phone number).
 */
export const phoneNumberOf = (
  event: Pick<InboundMessageEvent, "from" | "fromWaId" | "fromUserId">,
): string | null => event.fromWaId ?? (event.fromUserId ? null : event.from);

/** What the event says the customer's identifiers are now. A system notice gives the values after its change. */
export function identityOf(event: InboundMessageEvent): Identity {
  const system = event.system ?? null;
  if (system && (system.type === "user_changed_number" || system.type === "user_changed_user_id"))
    return {
      waId: system.waId ?? (system.type === "user_changed_user_id" ? phoneNumberOf(event) : null),
      userId: system.userId ?? null,
      parentUserId: system.parentUserId ?? null,
      username: event.username ?? null,
      profileName: event.profileName,
    };
  return {
    waId: phoneNumberOf(event),
    userId: event.fromUserId ?? null,
    parentUserId: event.fromParentUserId ?? null,
    username: event.username ?? null,
    profileName: event.profileName,
  };
}

/** Every id of the customer the event names, `<phoneNumberId>:<phone number or BSUID>`: the ones it links. */
export function customerIdsOf(event: InboundMessageEvent): string[] {
  const system = event.system ?? null;
  const identifiers = [
    phoneNumberOf(event),
    event.fromUserId ?? null,
    system?.waId ?? null,
    system?.userId ?? null,
    system?.previousUserId ?? null,
  ];
  const ids = identifiers
    .filter((id): id is string => id !== null && id !== "")
    .map((id) => `${event.phoneNumberId}:${id}`);
  return ids.length > 0 ? [...new Set(ids)] : [`${event.phoneNumberId}:${event.from}`];
}

/**
 * The id a customer's conversation goes by: their smallest phone-number id when one is known (so the
 * documents keyed `<phoneNumberId>:<waId>` before BSUIDs keep their id), else their smallest BSUID id.
 * A function of the set: the order in which ids are learned cannot change it.
 */
export function conversationSurvivor(ids: readonly string[]): string {
  const isBsuid = (id: string) => id.slice(id.indexOf(":") + 1).includes(".");
  const phones = ids.filter((id) => !isBsuid(id));
  return [...(phones.length > 0 ? phones : ids)].sort()[0]!;
}

/** The document's id before any link is known: the first id the message names. */
export const conversationIdOf = (event: InboundMessageEvent): string => customerIdsOf(event)[0]!;

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

interface Change {
  at: Date;
  id: string;
}
const isLaterChange = (a: Change, b: Change): boolean =>
  a.at.getTime() > b.at.getTime() || (a.at.getTime() === b.at.getTime() && a.id > b.id);

/** The document with Meta's content keys removed (a withdrawn message keeps none). */
function withoutContent(document: InboundMessageDocument): InboundMessageDocument {
  const kept = Object.fromEntries(Object.entries(document).filter(([key]) => documentFields.has(key)));
  return { ...(kept as InboundMessageDocument), messageJson: null };
}

/** The document with its edits and revoke applied: the latest edit's content shows, a revoke hides all. */
function withChanges(
  document: InboundMessageDocument,
  edits: readonly MessageEditEntry[],
  revoke: Change | null,
): InboundMessageDocument {
  const sorted = [...edits].sort((a, b) => (isLaterChange(a, b) ? 1 : -1));
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
  const revoke: Change | null = current?.revokedAt
    ? { at: current.revokedAt, id: current.revokeId ?? "" }
    : null;
  const edits = current?.edits ?? [];
  if (originalId === null) {
    if (current && current.type !== null) return current;
    return withChanges(inboundMessageDocument(event), edits, revoke);
  }
  const base: InboundMessageDocument = current ?? {
    ...inboundMessageDocument(event),
    _id: originalId,
    conversationId: null,
    timestamp: null,
    type: null,
    messageJson: null,
  };
  const change: Change = { at: new Date(event.timestamp), id: event.wamid };
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
  if (revoke && !isLaterChange(revoke, change)) return base;
  return withChanges(base, edits, change);
}

/** A preview's text: at most 100 characters, an ellipsis marking the cut. */
const clip = (text: string): string => (text.length > 100 ? `${text.slice(0, 99)}…` : text);

/** A short human preview of a message, for conversation lists. */
export function previewOf(event: InboundMessageEvent): string {
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

/** Shown instead of a withdrawn message's content. */
export const withdrawnPreview = "[message withdrawn]";
/** At most this many changes are kept for the preview (all of them in practice: see recentChanges). */
export const keptChanges = 50;

/** The preview of an edit's new content (its text, or its media's caption). */
function editPreview(event: InboundMessageEvent): string | null {
  try {
    const message = JSON.parse(event.edit?.messageJson ?? "null") as Record<string, unknown> | null;
    const part = message && typeof message.type === "string" ? message[message.type] : null;
    const content = part && typeof part === "object" ? (part as Record<string, unknown>) : {};
    const text = typeof content.body === "string" ? content.body : content.caption;
    return typeof text === "string" ? clip(text) : null;
  } catch {
    return null;
  }
}

/** The identity fields the later sighting wins, field by field (a tie goes to the larger value). */
function withIdentity(
  document: ConversationDocument,
  identity: Identity,
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

/**
 * The preview after the changes: the last message's own preview (`lastMessageOwnPreview`), its latest
 * edit's, or the withdrawn mark; and only the changes that can still concern the last message (those
 * not older than it), the latest `keptChanges` of them.
 */
function withConversationChanges(
  document: ConversationDocument,
  changes: readonly ConversationChange[],
): ConversationDocument {
  const byId = new Map(changes.map((change) => [change.id, change]));
  const kept = [...byId.values()]
    .filter((change) => change.at.getTime() >= document.lastMessageAt.getTime())
    .sort((a, b) => (isLater(a, b) ? 1 : -1))
    .slice(-keptChanges);
  const ofLast = kept.filter((change) => change.messageId === document.lastMessageId);
  const revoked = ofLast.some((change) => change.kind === "revoke");
  const edited = ofLast.filter((change) => change.kind === "edit" && change.preview !== null).pop();
  const preview = revoked ? withdrawnPreview : (edited?.preview ?? document.lastMessageOwnPreview);
  return { ...document, lastMessagePreview: preview, recentChanges: kept };
}

/**
 * Pure projection of a conversation: the document after one more inbound message, or `current` itself
 * when the message changes nothing (null when an edit or revoke arrives before any message). Every field
 * is a minimum, a maximum or the latest sighting, so arrival order and replays do not change the result.
 * `messageCount` is not a fold: the framework sets it to the exact number of the conversation's stored
 * messages (the projection declares it as an exact count), and edits and revokes are no messages.
 */
export function evolveConversation(
  current: ConversationDocument | null,
  message: InboundMessageEvent,
): ConversationDocument | null {
  const at = new Date(message.timestamp);
  const identity = identityOf(message);
  const changed = changedMessageIdOf(message);
  let next: ConversationDocument;
  if (changed !== null) {
    if (!current) return null;
    const change: ConversationChange = {
      messageId: changed,
      id: message.wamid,
      at,
      kind: message.type === "revoke" ? "revoke" : "edit",
      preview: message.type === "revoke" ? null : editPreview(message),
    };
    next = withConversationChanges(withIdentity(current, identity, seenAtAll(at)), [
      ...(current.recentChanges ?? []),
      change,
    ]);
  } else {
    const latest = {
      lastMessageAt: at,
      lastMessageId: message.wamid,
      lastMessageType: message.type,
      lastMessageOwnPreview: previewOf(message),
      serviceWindowExpiresAt: new Date(message.timestamp + serviceWindowMs),
    };
    if (!current) {
      const empty: ConversationDocument = {
        _id: conversationIdOf(message),
        phoneNumberId: message.phoneNumberId,
        waId: null,
        userId: null,
        parentUserId: null,
        username: null,
        profileName: null,
        identitySeenAt: {},
        messageCount: 0,
        firstMessageAt: at,
        ...latest,
        lastMessagePreview: latest.lastMessageOwnPreview,
        recentChanges: [],
        projectionVersion: conversationProjectionVersion,
      };
      return withConversationChanges(withIdentity(empty, identity, seenAtAll(at)), []);
    }
    next = withIdentity(current, identity, seenAtAll(at));
    if (at < current.firstMessageAt) next = { ...next, firstMessageAt: at };
    if (
      isLater({ at, id: message.wamid }, { at: current.lastMessageAt, id: current.lastMessageId }) ||
      message.wamid === current.lastMessageId
    )
      next = { ...next, ...latest };
    next = withConversationChanges(next, current.recentChanges ?? []);
  }
  next = { ...next, projectionVersion: conversationProjectionVersion };
  return sameValues(next, current) ? current : next;
}

/**
 * Two conversations of one customer joined (their ids turned out to name the same person): commutative,
 * associative and idempotent, like the fold; `a`'s id is kept.
 */
export function mergeConversations(a: ConversationDocument, b: ConversationDocument): ConversationDocument {
  const later = isLater(
    { at: b.lastMessageAt, id: b.lastMessageId },
    { at: a.lastMessageAt, id: a.lastMessageId },
  )
    ? b
    : a;
  const merged: ConversationDocument = {
    ...a,
    messageCount: Math.max(a.messageCount, b.messageCount),
    firstMessageAt: a.firstMessageAt < b.firstMessageAt ? a.firstMessageAt : b.firstMessageAt,
    lastMessageAt: later.lastMessageAt,
    lastMessageId: later.lastMessageId,
    lastMessageType: later.lastMessageType,
    lastMessageOwnPreview: later.lastMessageOwnPreview,
    serviceWindowExpiresAt: later.serviceWindowExpiresAt,
    projectionVersion: conversationProjectionVersion,
  };
  return withConversationChanges(withIdentity(merged, b, b.identitySeenAt ?? {}), [
    ...(a.recentChanges ?? []),
    ...(b.recentChanges ?? []),
  ]);
}
