import type {
  BusinessAppMessageEvent,
  InboundMessageEvent,
  UserPreferenceEvent,
} from "../../../contracts/generated/types";
import type { TopicId } from "../../../contracts/topics";
import { requireEventFields } from "../../framework/event-validation";
import { isGroupMessage } from "../shared/group-messages";
import { customerIdsOf } from "./customer-identity";
import { requiredInboundFields } from "./inbound-message";
import type { CustomerMessage } from "./customer-links";

/** A Business-app message (echo or history) with the conversation it belongs to. */
export interface CustomerBusinessAppMessage {
  businessAppMessage: BusinessAppMessageEvent;
  conversationId: string;
}

/** A customer's marketing preference with the conversation it belongs to. */
export interface CustomerPreference {
  preference: UserPreferenceEvent;
  conversationId: string;
}

/** Everything the conversation projection folds: each names the customer's conversation once resolved. */
export type ConversationEvent = CustomerMessage | CustomerBusinessAppMessage | CustomerPreference;

export const isInboundMessage = (event: ConversationEvent): event is CustomerMessage => "message" in event;
export const isBusinessAppMessage = (event: ConversationEvent): event is CustomerBusinessAppMessage =>
  "businessAppMessage" in event;

/** The one preference category a conversation shows today. */
export const marketingCategory = "marketing_messages";

/** `<phoneNumberId>:<id>` for each of the customer's ids present. */
const idsIn = (phoneNumberId: string, ids: readonly (string | null | undefined)[]): string[] => [
  ...new Set(ids.filter((id): id is string => !!id).map((id) => `${phoneNumberId}:${id}`)),
];

/** Every id of the customer the event names: the ones it links. */
export function conversationIdsOf(event: ConversationEvent): string[] {
  if (isInboundMessage(event)) return customerIdsOf(event.message);
  if (isBusinessAppMessage(event)) {
    const { phoneNumberId, customerWaId, customerUserId } = event.businessAppMessage;
    return idsIn(phoneNumberId, [customerWaId, customerUserId]);
  }
  const { phoneNumberId, waId, userId } = event.preference;
  return idsIn(phoneNumberId, [waId, userId]);
}

/** Whether the conversation projection folds a record of `topic`: group messages and other preference categories are not its. */
export function isConversationRecord(decoded: unknown, topic: TopicId): boolean {
  if (topic === "inboundMessage") return !isGroupMessage(decoded);
  if (topic === "userPreference") return (decoded as { category?: unknown }).category === marketingCategory;
  return true;
}

/** The decoded record as a conversation event (its conversation the first id it names until resolved), or why not. */
export function conversationEventOf(decoded: unknown, topic: TopicId): ConversationEvent | string {
  const event = checked(decoded, topic);
  if (typeof event === "string") return event;
  const ids = conversationIdsOf(event);
  if (ids.length === 0) return "the record names no customer id";
  return { ...event, conversationId: ids[0]! };
}

function checked(decoded: unknown, topic: TopicId): ConversationEvent | string {
  const conversationId = "";
  if (topic === "inboundMessage") {
    const message = requireEventFields<InboundMessageEvent>(decoded, requiredInboundFields);
    return typeof message === "string" ? message : { message, conversationId };
  }
  if (topic === "businessAppMessage") {
    // The time is checked below: only a later media delivery may come without one.
    const record = { ...(decoded as object), timestamp: 1 };
    const message = requireEventFields<BusinessAppMessageEvent>(record, [
      "eventId",
      "wamid",
      "phoneNumberId",
      "wabaId",
      "type",
      "source",
      "direction",
    ]);
    if (typeof message === "string") return message;
    const { timestamp, source } = decoded as BusinessAppMessageEvent;
    if (source !== "history_media" && (typeof timestamp !== "number" || timestamp <= 0))
      return "timestamp is not a positive time";
    return { businessAppMessage: decoded as BusinessAppMessageEvent, conversationId };
  }
  if (topic === "userPreference") {
    const preference = requireEventFields<UserPreferenceEvent>(decoded, [
      "eventId",
      "phoneNumberId",
      "wabaId",
      "category",
      "value",
    ]);
    return typeof preference === "string" ? preference : { preference, conversationId };
  }
  return `the conversation projection does not read ${topic}`;
}
