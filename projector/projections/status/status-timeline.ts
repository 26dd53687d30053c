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
  };
  const timeline = [...(current?.timeline ?? []), entry].sort(compareEntries);
  const latest = <K extends keyof TimelineEntry>(key: K): NonNullable<TimelineEntry[K]> | null => {
    for (let i = timeline.length - 1; i >= 0; i--) {
      const value = timeline[i]![key];
      if (value !== undefined && value !== null) return value as NonNullable<TimelineEntry[K]>;
    }
    return null;
  };
  const firstAt = (status: string): Date | null =>
    timeline.find((e) => e.status === status)?.timestamp ?? null;
  const mostAdvanced = timeline.reduce((best, e) =>
    statusRank(e.status) > statusRank(best.status) ? e : best,
  );
  const latestFailure = [...timeline].reverse().find((e) => e.status === "failed");
  const recipientUserId = latest("recipientUserId");
  const recipientParentUserId = latest("recipientParentUserId");
  return {
    _id: event.wamid,
    // Known statuses by lifecycle; a message with only statuses Meta added later shows its latest one.
    status: statusRank(mostAdvanced.status) > 0 ? mostAdvanced.status : timeline[timeline.length - 1]!.status,
    timeline,
    phoneNumberId: current?.phoneNumberId ?? event.phoneNumberId,
    wabaId: current?.wabaId ?? event.wabaId,
    recipientId: current?.recipientId ?? event.recipientId,
    // Set only once known, so documents of messages sent before BSUIDs keep their shape.
    ...(recipientUserId !== null ? { recipientUserId } : {}),
    ...(recipientParentUserId !== null ? { recipientParentUserId } : {}),
    conversation: latest("conversation"),
    pricing: latest("pricing"),
    errors: latestFailure?.errors ?? [],
    bizOpaqueCallbackData: latest("bizOpaqueCallbackData"),
    sentAt: firstAt("sent"),
    deliveredAt: firstAt("delivered"),
    readAt: firstAt("read"),
    playedAt: firstAt("played"),
    failedAt: firstAt("failed"),
    updatedAt: timeline[timeline.length - 1]!.timestamp,
    projectionVersion: statusProjectionVersion,
  };
}
