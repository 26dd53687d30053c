import type {
  Conversation,
  MessageStatusEvent,
  Pricing,
  WhatsAppError,
} from "../../../contracts/generated/types";

/** Lifecycle order of an outbound message; failed is terminal. Statuses Meta adds later rank 0: kept, never current over a known one. */
const lifecycleRank: Record<string, number> = { sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };
export const statusRank = (status: string): number => lifecycleRank[status] ?? 0;

/** One distinct status event; what it carried besides its status is kept only when present. */
export interface TimelineEntry {
  status: string;
  timestamp: Date;
  eventId: string;
  errors?: WhatsAppError[];
  conversation?: Conversation;
  pricing?: Pricing;
  bizOpaqueCallbackData?: string;
  recipientUserId?: string;
  recipientParentUserId?: string;
  /** A group message's participant the status is about: their phone number and BSUID, as Meta sent them. */
  participantId?: string;
  participantUserId?: string;
}

/** One participant's delivery of a group message, from their statuses in the timeline. */
export interface ParticipantStatus {
  participantId: string | null;
  participantUserId: string | null;
  /** By lifecycle, as a one-to-one message's status. */
  status: string;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  playedAt: Date | null;
  failedAt: Date | null;
}

/** Read model `message_statuses`: one document per outbound message. Field names are a public contract. */
export interface MessageStatusDocument {
  _id: string;
  status: string;
  timeline: TimelineEntry[];
  phoneNumberId: string;
  wabaId: string;
  recipientId: string | null;
  /** The customer's BSUID and parent BSUID: the latest any status carried; absent while none did. */
  recipientUserId?: string;
  recipientParentUserId?: string;
  /** Only on a group message's document: `recipientId` is then the group. */
  recipientType?: "group";
  groupId?: string | null;
  participants?: ParticipantStatus[];
  conversation: Conversation | null;
  pricing: Pricing | null;
  errors: WhatsAppError[];
  bizOpaqueCallbackData: string | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  playedAt: Date | null;
  failedAt: Date | null;
  /** Time of the latest status event applied (Meta's clock), so the document depends on events only. */
  updatedAt: Date;
  /** Version of this projection's code the document was built with (a rebuild raises it). */
  projectionVersion: number;
}

export const statusProjectionVersion = 1;

/** Order of the timeline: by time, then by lifecycle, then by event id (total, so any arrival order gives one result). */
function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  return (
    a.timestamp.getTime() - b.timestamp.getTime() ||
    statusRank(a.status) - statusRank(b.status) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

/** The latest value of `key` in the entries (sorted), or null when none carried one. */
function latestOf<K extends keyof TimelineEntry>(
  entries: readonly TimelineEntry[],
  key: K,
): NonNullable<TimelineEntry[K]> | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const value = entries[i]![key];
    if (value !== undefined && value !== null) return value as NonNullable<TimelineEntry[K]>;
  }
  return null;
}

/** Known statuses by lifecycle; entries with only statuses Meta added later show the latest one. */
function currentStatus(entries: readonly TimelineEntry[]): string {
  const mostAdvanced = entries.reduce((best, e) =>
    statusRank(e.status) > statusRank(best.status) ? e : best,
  );
  return statusRank(mostAdvanced.status) > 0 ? mostAdvanced.status : entries[entries.length - 1]!.status;
}

/** First time of each status in the entries (sorted). */
function statusTimes(entries: readonly TimelineEntry[]) {
  const firstAt = (status: string): Date | null =>
    entries.find((e) => e.status === status)?.timestamp ?? null;
  return {
    sentAt: firstAt("sent"),
    deliveredAt: firstAt("delivered"),
    readAt: firstAt("read"),
    playedAt: firstAt("played"),
    failedAt: firstAt("failed"),
  };
}

/**
 * A group message's status: the furthest any participant reached. One participant's failure does not
 * fail the message for the others: it is `failed` only while no status but failures is known.
 */
function groupStatus(timeline: readonly TimelineEntry[]): string {
  const notFailed = timeline.filter((e) => e.status !== "failed");
  return currentStatus(notFailed.length > 0 ? notFailed : timeline);
}

const sameParticipant = (a: TimelineEntry, b: TimelineEntry): boolean =>
  (a.participantId !== undefined && a.participantId === b.participantId) ||
  (a.participantUserId !== undefined && a.participantUserId === b.participantUserId);

const byText = (a: string | null, b: string | null): number =>
  (a ?? "") < (b ?? "") ? -1 : (a ?? "") > (b ?? "") ? 1 : 0;

/** Each participant's statuses (one participant: entries sharing either id), by phone number, then BSUID. */
function participantsOf(timeline: readonly TimelineEntry[]): ParticipantStatus[] {
  let byParticipant: TimelineEntry[][] = [];
  for (const entry of timeline) {
    if (entry.participantId === undefined && entry.participantUserId === undefined) continue;
    const joined = byParticipant.filter((entries) => entries.some((other) => sameParticipant(entry, other)));
    byParticipant = [
      ...byParticipant.filter((entries) => !joined.includes(entries)),
      [...joined.flat(), entry].sort(compareEntries),
    ];
  }
  return byParticipant
    .map((entries) => ({
      participantId: latestOf(entries, "participantId"),
      participantUserId: latestOf(entries, "participantUserId"),
      status: currentStatus(entries),
      ...statusTimes(entries),
    }))
    .sort(
      (a, b) => byText(a.participantId, b.participantId) || byText(a.participantUserId, b.participantUserId),
    );
}

/**
 * Pure projection: the message's document after one more status event. Idempotent (an event already in
 * the timeline returns `current` itself) and order-independent: every derived field is a function of
 * the timeline, which is the sorted set of distinct events, whatever order they arrived in.
 */
export function evolveMessageStatus(
  current: MessageStatusDocument | null,
  event: MessageStatusEvent,
): MessageStatusDocument {
  if (current?.timeline.some((entry) => entry.eventId === event.eventId)) return current;
  const entry: TimelineEntry = {
    status: event.status,
    timestamp: new Date(event.timestamp),
    eventId: event.eventId,
    ...(event.errors.length > 0 ? { errors: event.errors } : {}),
    ...(event.conversation ? { conversation: event.conversation } : {}),
    ...(event.pricing ? { pricing: event.pricing } : {}),
    ...(event.bizOpaqueCallbackData !== null ? { bizOpaqueCallbackData: event.bizOpaqueCallbackData } : {}),
    // Undefined, not null, in records written with version 1 of the schema (decoded with their own).
    ...(event.recipientUserId ? { recipientUserId: event.recipientUserId } : {}),
    ...(event.recipientParentUserId ? { recipientParentUserId: event.recipientParentUserId } : {}),
    ...(event.recipientParticipantId ? { participantId: event.recipientParticipantId } : {}),
    ...(event.recipientParticipantUserId ? { participantUserId: event.recipientParticipantUserId } : {}),
  };
  const timeline = [...(current?.timeline ?? []), entry].sort(compareEntries);
  const latestFailure = [...timeline].reverse().find((e) => e.status === "failed");
  const recipientUserId = latestOf(timeline, "recipientUserId");
  const recipientParentUserId = latestOf(timeline, "recipientParentUserId");
  const recipientId = current?.recipientId ?? event.recipientId;
  // Any of its statuses naming a group makes a message a group message, whatever their order.
  const isGroup = current?.recipientType === "group" || event.recipientType === "group";
  return {
    _id: event.wamid,
    status: isGroup ? groupStatus(timeline) : currentStatus(timeline),
    timeline,
    phoneNumberId: current?.phoneNumberId ?? event.phoneNumberId,
    wabaId: current?.wabaId ?? event.wabaId,
    recipientId,
    // Set only once known, so documents of messages sent before BSUIDs keep their shape.
    ...(recipientUserId !== null ? { recipientUserId } : {}),
    ...(recipientParentUserId !== null ? { recipientParentUserId } : {}),
    // Only on group messages, so one-to-one documents keep their shape.
    ...(isGroup
      ? { recipientType: "group" as const, groupId: recipientId, participants: participantsOf(timeline) }
      : {}),
    conversation: latestOf(timeline, "conversation"),
    pricing: latestOf(timeline, "pricing"),
    errors: latestFailure?.errors ?? [],
    bizOpaqueCallbackData: latestOf(timeline, "bizOpaqueCallbackData"),
    ...statusTimes(timeline),
    updatedAt: timeline[timeline.length - 1]!.timestamp,
    projectionVersion: statusProjectionVersion,
  };
}
