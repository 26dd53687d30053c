import type {
  BusinessAppMessageEvent,
  InboundMessageEvent,
  UserPreferenceEvent,
} from "../../../contracts/generated/types";
import { isLater } from "./event-order";

/** The customer's latest marketing preference (`user_preferences`, category marketing_messages). */
export interface MarketingOptOut {
  /** True after `stop`, false after `resume`. */
  value: boolean;
  /** Meta's time of that preference. */
  since: Date;
  detail: string | null;
  eventId: string;
}

/** The customer's latest answer to a call permission request (an interactive `call_permission_reply`). */
export interface CallPermission {
  /** `accept` or `reject`, as Meta sent it. */
  response: string | null;
  permanent: boolean | null;
  /** Until when an accepted, not permanent permission holds. */
  expiresAt: Date | null;
  /** `user_action` or `automatic`. */
  source: string | null;
  at: Date;
  /** wamid of the reply. */
  messageId: string;
  /** The permission request's wamid, or the missed call's id (context.id). */
  requestId: string | null;
}

/** The conversation fields the customer channels add; each absent while nothing is known of it. */
export interface CustomerChannelFields {
  /** Latest time of a message the business sent from the WhatsApp Business app (echo or imported). */
  lastOutboundMessageAt?: Date;
  marketingOptOut?: MarketingOptOut;
  callPermission?: CallPermission;
}

export function marketingOptOutOf(preference: UserPreferenceEvent): MarketingOptOut {
  return {
    value: preference.value === "stop",
    since: new Date(preference.timestamp),
    detail: preference.detail,
    eventId: preference.eventId,
  };
}

/** The later preference by Meta's time; at the same time a stop wins (no marketing sent by a tie), then the larger event id. */
export function laterOptOut(a: MarketingOptOut | undefined, b: MarketingOptOut | undefined) {
  if (!a || !b) return a ?? b;
  const byTime = a.since.getTime() - b.since.getTime();
  if (byTime !== 0) return byTime > 0 ? a : b;
  if (a.value !== b.value) return a.value ? a : b;
  return a.eventId >= b.eventId ? a : b;
}

export function callPermissionOf(message: InboundMessageEvent): CallPermission | undefined {
  const reply = message.interactive?.callPermissionReply;
  if (message.interactive?.type !== "call_permission_reply" || !reply) return undefined;
  return {
    response: reply.response,
    permanent: reply.isPermanent,
    expiresAt: reply.expirationTimestamp === null ? null : new Date(reply.expirationTimestamp),
    source: reply.responseSource,
    at: new Date(message.timestamp),
    messageId: message.wamid,
    requestId: message.context?.id ?? null,
  };
}

/** The later answer by Meta's time, then by wamid. */
export function laterCallPermission(a: CallPermission | undefined, b: CallPermission | undefined) {
  if (!a || !b) return a ?? b;
  return isLater({ at: b.at, id: b.messageId }, { at: a.at, id: a.messageId }) ? b : a;
}

export const laterDate = (a: Date | undefined, b: Date | undefined): Date | undefined =>
  !a || !b ? (a ?? b) : a.getTime() >= b.getTime() ? a : b;

/** When the business sent this message from the app; undefined for the customer's messages, edits and revokes. */
export function outboundAtOf(message: BusinessAppMessageEvent): Date | undefined {
  const isChange = message.edit !== null || message.revoke !== null || message.source === "history_media";
  if (message.direction !== "outbound" || isChange || message.timestamp === null) return undefined;
  return new Date(message.timestamp);
}

/** The channel fields of two conversations of one customer joined: each the latest. */
export function mergeChannelFields(
  a: CustomerChannelFields,
  b: CustomerChannelFields,
): CustomerChannelFields {
  return withoutAbsent({
    lastOutboundMessageAt: laterDate(a.lastOutboundMessageAt, b.lastOutboundMessageAt),
    marketingOptOut: laterOptOut(a.marketingOptOut, b.marketingOptOut),
    callPermission: laterCallPermission(a.callPermission, b.callPermission),
  });
}

/** The fields that hold a value: an absent one stays absent from the document. */
export const withoutAbsent = (fields: CustomerChannelFields): CustomerChannelFields =>
  Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as CustomerChannelFields;
