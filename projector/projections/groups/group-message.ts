import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { evolveInboundMessage, type InboundMessageDocument } from "../conversation/inbound-message";
import { groupsProjectionVersion } from "./group-document";

/** Every field of `T` but the `K` ones, its index signature kept (which `Omit` would not). */
type Without<T, K extends string> = { [P in keyof T as P extends K ? never : P]: T[P] };

/**
 * Read model `group_messages`: one document per message written in a WhatsApp group, `_id` = wamid. The
 * fields of an `inbound_messages` document (the sender's ids, the content under Meta's keys, edits and
 * revoke folded in the same way) but its conversation: a group message belongs to no 1:1 conversation.
 */
export type GroupMessageDocument = Without<InboundMessageDocument, "conversationId"> & {
  /** The group; null while only an edit or revoke of the message has arrived (it counts in no group yet). */
  groupId: string | null;
};

/**
 * Pure projection of one `group_messages` document: `evolveInboundMessage`'s fold, with the group in place
 * of the conversation; `current` itself when the event is already reflected.
 */
export function evolveGroupMessage(
  current: GroupMessageDocument | null,
  event: InboundMessageEvent,
): GroupMessageDocument {
  // The inbound fold never reads conversationId: it only writes it, and it is dropped below.
  const before = current as unknown as InboundMessageDocument | null;
  const next = evolveInboundMessage(before, event);
  if (next === before) return current!;
  const { _id, conversationId: _conversationId, groupId: _groupId, ...message } = next;
  // A document with a message names the message's group: the stored one's, or this event's when it is the message.
  const groupId = next.type === null ? null : current?.type ? current.groupId : event.groupId;
  return { _id, groupId, ...message, projectionVersion: groupsProjectionVersion };
}
