import type { CallEvent, CallMedia, WhatsAppError } from "../../../contracts/generated/types";
import { latestByTime, latestPart, withTimedEvent } from "../shared/event-history";

/** The customer's identifiers a call shows, each the latest an event carried. */
const identityFields = ["waId", "userId", "parentUserId", "username", "profileName"] as const;
type IdentityField = (typeof identityFields)[number];

/** One distinct call event: what it was, at Meta's time, with the parts it carried (absent when it had none). */
export interface CallEventEntry extends Partial<Record<IdentityField, string>> {
  eventId: string;
  /** connect, terminate, call_created, call_recording_available, call_transcription_available, status, or a later value. */
  event: string;
  status?: string;
  at: Date;
  direction?: string;
  startTime?: Date;
  endTime?: Date;
  durationSeconds?: number;
  bizOpaqueCallbackData?: string;
  recording?: CallMedia;
  transcript?: CallMedia;
  errors?: WhatsAppError[];
}

/** A recording or transcript of the call; Meta keeps the file for 7 days. */
export interface CallMediaReference extends CallMedia {
  /** When Meta announced it (the event's time). */
  availableAt: Date;
}

/** Read model `calls`: one document per call id. Field names are a public contract. */
export interface CallDocument extends Record<IdentityField, string | null> {
  _id: string;
  phoneNumberId: string;
  wabaId: string;
  direction: string | null;
  /** `<phoneNumberId>:<waId>` and `<phoneNumberId>:<BSUID>` of every id the events named: `conversations` ids. */
  customerIds: string[];
  status: string | null;
  terminationStatus: string | null;
  createdAt: Date | null;
  connectedAt: Date | null;
  startTime: Date | null;
  endTime: Date | null;
  durationSeconds: number | null;
  errors: WhatsAppError[];
  bizOpaqueCallbackData: string | null;
  recording: CallMediaReference | null;
  transcript: CallMediaReference | null;
  /** Every distinct event once, sorted by time, then event id. */
  events: CallEventEntry[];
  /** The earliest time the call is known by: its first event, or when it was answered if that is earlier. */
  startedAt: Date;
  lastEventAt: Date;
  projectionVersion: number;
}

export const callsProjectionVersion = 1;

/** Meta's value, or nothing: an entry keeps only the parts an event carried. */
const part = <K extends string, V>(key: K, value: V | null): Partial<Record<K, V>> =>
  value === null ? {} : ({ [key]: value } as Record<K, V>);

function entryOf(event: CallEvent): CallEventEntry {
  return {
    eventId: event.eventId,
    event: event.event,
    ...part("status", event.status),
    at: new Date(event.timestamp),
    ...part("direction", event.direction),
    ...part("waId", event.customerWaId),
    ...part("userId", event.customerUserId),
    ...part("parentUserId", event.customerParentUserId),
    ...part("username", event.username),
    ...part("profileName", event.profileName),
    ...part("startTime", event.startTime === null ? null : new Date(event.startTime)),
    ...part("endTime", event.endTime === null ? null : new Date(event.endTime)),
    ...part("durationSeconds", event.durationSeconds),
    ...part("bizOpaqueCallbackData", event.bizOpaqueCallbackData),
    ...part("recording", event.recording),
    ...part("transcript", event.transcript),
    ...(event.errors.length > 0 ? { errors: event.errors } : {}),
  };
}

const firstAt = (events: readonly CallEventEntry[], event: string): Date | null =>
  events.find((entry) => entry.event === event)?.at ?? null;

/** Ringing is the earliest progress: of two statuses of one second, the other one is the later. */
const progressRank = (entry: CallEventEntry): number => (entry.status === "RINGING" ? 0 : 1);

function mediaOf(
  events: readonly CallEventEntry[],
  key: "recording" | "transcript",
): CallMediaReference | null {
  const latest = events.findLast((entry) => entry[key] !== undefined);
  return latest ? { ...latest[key]!, availableAt: latest.at } : null;
}

function customerIdsOf(phoneNumberId: string, events: readonly CallEventEntry[]): string[] {
  const ids = events.flatMap((entry) => [entry.waId, entry.userId].filter((id) => id !== undefined));
  return [...new Set(ids)].map((id) => `${phoneNumberId}:${id}`).sort();
}

type CallState = Omit<CallDocument, "_id" | "wabaId" | "events" | "projectionVersion">;

/** Every field of the call from its events in time order. */
function callStateOf(phoneNumberId: string, events: readonly CallEventEntry[]): CallState {
  const terminate = events.findLast((entry) => entry.event === "terminate" && entry.status !== undefined);
  const progress = latestByTime(
    events.filter((entry) => entry.event !== "terminate" && entry.status !== undefined),
    progressRank,
  );
  const startTime = latestPart(events, "startTime");
  const startedAt = Math.min(events[0]!.at.getTime(), startTime?.getTime() ?? Infinity);
  return {
    phoneNumberId,
    direction: latestPart(events, "direction"),
    ...(Object.fromEntries(identityFields.map((field) => [field, latestPart(events, field)])) as Record<
      IdentityField,
      string | null
    >),
    customerIds: customerIdsOf(phoneNumberId, events),
    // A terminate ends the call: a status stamped later (ringing reported late) does not reopen it.
    status: terminate?.status ?? progress?.status ?? null,
    terminationStatus: terminate?.status ?? null,
    createdAt: firstAt(events, "call_created"),
    connectedAt: firstAt(events, "connect"),
    startTime,
    endTime: latestPart(events, "endTime"),
    durationSeconds: latestPart(events, "durationSeconds"),
    errors: latestPart(events, "errors") ?? [],
    bizOpaqueCallbackData: latestPart(events, "bizOpaqueCallbackData"),
    recording: mediaOf(events, "recording"),
    transcript: mediaOf(events, "transcript"),
    startedAt: new Date(startedAt),
    lastEventAt: events[events.length - 1]!.at,
  };
}

/**
 * Pure projection: the call's document after one more event. Idempotent (an event already in `events`
 * returns `current` itself) and order-independent: every field is a function of `events`, the distinct
 * events sorted by Meta's time.
 */
export function evolveCall(current: CallDocument | null, event: CallEvent): CallDocument {
  const events = withTimedEvent(current?.events ?? [], entryOf(event));
  if (!events) return current!;
  const phoneNumberId = current?.phoneNumberId ?? event.phoneNumberId;
  return {
    ...current,
    _id: event.callId,
    wabaId: current?.wabaId ?? event.wabaId,
    ...callStateOf(phoneNumberId, events),
    events,
    projectionVersion: callsProjectionVersion,
  };
}
