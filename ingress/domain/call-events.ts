import type { CallEvent, CallMedia } from "../../contracts/generated/types";
import { customerOf, phoneDigits, type CustomerIds } from "./customer-contacts";
import { sha256Hex } from "./event-ids";
import { isObject, type Json } from "./meta-json";
import { parseErrors } from "./message-content";
import {
  businessNumberOf,
  OptionalValues,
  type BusinessNumber,
  type FieldChange,
  type TypedChange,
} from "./typed-change";

/** The webhook field typed into whatsapp.call.event.v1 (each change also stays a business event). */
export const callField = "calls";

/**
 * Each call event (value.calls[]) and call status (value.statuses[]) of a calls change as a CallEvent,
 * keyed by call id so that one call's events are read in order. Untypeable without the call id, the
 * event or status, or the timestamp; a change with neither array is untypeable as a whole.
 */
export function deriveCallEvents(change: FieldChange): TypedChange<CallEvent>[] {
  const number = businessNumberOf(change);
  if ("reason" in number) return [number];
  const derived: TypedChange<CallEvent>[] = [];
  const parts = [
    ["calls", callEvent],
    ["statuses", callStatus],
  ] as const;
  for (const [key, derive] of parts) {
    const items = number.value[key];
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items)) derived.push({ reason: "wrong_type", at: key });
    else items.forEach((item, index) => derived.push(derive(item, `${key}[${index}]`, number)));
  }
  if (number.value.calls == null && number.value.statuses == null)
    derived.push({ reason: "missing_items", at: "calls" });
  return derived;
}

function callEvent(call: unknown, at: string, number: BusinessNumber): TypedChange<CallEvent> {
  if (!isObject(call)) return { reason: "not_an_object", at };
  const read = new OptionalValues();
  const callId = read.text(call, "id");
  const event = read.text(call, "event");
  const timestamp = read.millis(call, "timestamp");
  const direction = read.text(call, "direction");
  const from = read.text(call, "from");
  const to = read.text(call, "to");
  const callerIsCustomer =
    direction === "USER_INITIATED" ||
    (direction !== "BUSINESS_INITIATED" && phoneDigits(from) !== phoneDigits(number.displayPhoneNumber));
  const side = callerIsCustomer ? "from" : "to";
  const ids: CustomerIds = {
    waId: callerIsCustomer ? from : to,
    userId: read.text(call, `${side}_user_id`),
    parentUserId: read.text(call, `${side}_parent_user_id`),
  };
  const session = read.object(call, "session");
  const recording = read.object(call, "call_recording");
  const transcript = read.object(call, "call_transcript");
  const parts = {
    direction,
    status: read.text(call, "status"),
    from,
    to,
    startTime: read.millis(call, "start_time"),
    endTime: read.millis(call, "end_time"),
    durationSeconds: read.integer(call, "duration"),
    bizOpaqueCallbackData: read.text(call, "biz_opaque_callback_data"),
    sdpType: session ? read.text(session, "sdp_type") : null,
    recording: recording ? callMedia(read.object(recording, "audio"), read) : null,
    transcript: transcript ? callMedia(read.object(transcript, "document"), read) : null,
    // A terminate's errors may come at the value's level: they are its call's.
    errors: [...parseErrors(call.errors), ...(event === "terminate" ? parseErrors(number.value.errors) : [])],
  };
  if (read.wrongType !== null) return { reason: "wrong_type", at: `${at}.${read.wrongType}` };
  if (callId === null) return { reason: "missing_id", at };
  if (event === null) return { reason: "missing_event", at };
  if (timestamp === null) return { reason: "missing_timestamp", at };
  return typedCall(call, { callId, event, timestamp, ids, ...parts }, number);
}

function callStatus(status: unknown, at: string, number: BusinessNumber): TypedChange<CallEvent> {
  if (!isObject(status)) return { reason: "not_an_object", at };
  const read = new OptionalValues();
  const callId = read.text(status, "id");
  const state = read.text(status, "status");
  const timestamp = read.millis(status, "timestamp");
  const recipientId = read.text(status, "recipient_id");
  const ids: CustomerIds = {
    waId: recipientId,
    userId: read.text(status, "recipient_user_id"),
    parentUserId: read.text(status, "recipient_parent_user_id"),
  };
  const bizOpaqueCallbackData = read.text(status, "biz_opaque_callback_data");
  if (read.wrongType !== null) return { reason: "wrong_type", at: `${at}.${read.wrongType}` };
  if (callId === null) return { reason: "missing_id", at };
  if (state === null) return { reason: "missing_status", at };
  if (timestamp === null) return { reason: "missing_timestamp", at };
  return typedCall(
    status,
    {
      callId,
      event: "status",
      timestamp,
      ids,
      direction: null,
      status: state,
      from: null,
      to: recipientId,
      startTime: null,
      endTime: null,
      durationSeconds: null,
      bizOpaqueCallbackData,
      sdpType: null,
      recording: null,
      transcript: null,
      errors: parseErrors(status.errors),
    },
    number,
  );
}

type CallParts = Omit<
  CallEvent,
  | "eventId"
  | "rawEventId"
  | "phoneNumberId"
  | "displayPhoneNumber"
  | "wabaId"
  | "customerWaId"
  | "customerUserId"
  | "customerParentUserId"
  | "username"
  | "profileName"
  | "callJson"
> & { ids: CustomerIds };

function typedCall(item: Json, parts: CallParts, number: BusinessNumber): TypedChange<CallEvent> {
  const { ids, ...call } = parts;
  return {
    event: {
      key: call.callId,
      value: {
        eventId: sha256Hex("call", call.callId, call.event, call.status ?? "", String(call.timestamp)),
        rawEventId: number.rawEventId,
        phoneNumberId: number.phoneNumberId,
        displayPhoneNumber: number.displayPhoneNumber,
        wabaId: number.wabaId,
        ...call,
        ...customerOf(ids, number.value.contacts),
        callJson: JSON.stringify(item),
      },
    },
  };
}

function callMedia(media: Json | null, read: OptionalValues): CallMedia | null {
  if (media === null) return null;
  return {
    id: read.text(media, "id"),
    sha256: read.text(media, "sha256"),
    mimeType: read.text(media, "mime_type"),
    url: read.text(media, "url"),
  };
}
