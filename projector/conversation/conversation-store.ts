import type { AnyBulkWriteOperation, Collection, Db } from "mongodb";
import type { InboundMessageEvent } from "../../contracts/generated/types";
import type { BatchOutcome } from "../runtime/projection";
import { writeRevisioned } from "../runtime/revisioned-writes";
import {
  conversationIdOf,
  evolveConversation,
  inboundMessageDocument,
  type ConversationDocument,
  type InboundMessageDocument,
} from "./inbound-conversation";

export const inboundMessagesCollection = "inbound_messages";
export const conversationsCollection = "conversations";

export async function ensureConversationIndexes(
  messages: Collection<InboundMessageDocument>,
  conversations: Collection<ConversationDocument>,
): Promise<void> {
  await messages.createIndex({ conversationId: 1, timestamp: -1 });
  await messages.createIndex({ phoneNumberId: 1, timestamp: -1 });
  await conversations.createIndex({ phoneNumberId: 1, lastMessageAt: -1 });
  await conversations.createIndex({ serviceWindowExpiresAt: 1 });
}

/**
 * Applies a batch of inbound events: one bulk write of new messages (insert-if-absent, so replays add
 * nothing), an exact count of each touched conversation's distinct messages, and one bulk write of the
 * touched conversations.
 */
export async function applyInboundEvents(
  messages: Collection<InboundMessageDocument>,
  conversations: Collection<ConversationDocument>,
  events: readonly InboundMessageEvent[],
): Promise<BatchOutcome> {
  const distinct = [...new Map(events.map((event) => [event.wamid, event])).values()];
  const inserts: AnyBulkWriteOperation<InboundMessageDocument>[] = distinct.map((event) => ({
    updateOne: {
      filter: { _id: event.wamid },
      update: { $setOnInsert: inboundMessageDocument(event) },
      upsert: true,
    },
  }));
  const written = inserts.length > 0 ? await messages.bulkWrite(inserts, { ordered: false }) : null;
  const applied = written?.upsertedCount ?? 0;

  const byConversation = new Map<string, InboundMessageEvent[]>();
  for (const event of distinct) {
    const id = conversationIdOf(event);
    byConversation.set(id, [...(byConversation.get(id) ?? []), event]);
  }
  const ids = [...byConversation.keys()];
  const counts = new Map<string, number>();
  if (ids.length > 0) {
    const grouped = await messages
      .aggregate<{ _id: string; count: number }>([
        { $match: { conversationId: { $in: ids } } },
        { $group: { _id: "$conversationId", count: { $sum: 1 } } },
      ])
      .toArray();
    for (const { _id, count } of grouped) counts.set(_id, count);
  }
  await writeRevisioned(conversations, ids, (current) => {
    const next = new Map<string, ConversationDocument>();
    for (const [id, conversationEvents] of byConversation) {
      const before = current.get(id) ?? null;
      const after = evolveConversation(
        before,
        conversationEvents,
        counts.get(id) ?? conversationEvents.length,
      );
      if (before && sameConversation(before, after)) continue;
      next.set(id, after);
    }
    return next;
  });
  return { applied, duplicates: events.length - applied };
}

const comparedFields = [
  "profileName",
  "messageCount",
  "firstMessageAt",
  "lastMessageAt",
  "lastMessageId",
  "lastMessageType",
  "lastMessagePreview",
  "serviceWindowExpiresAt",
  "projectionVersion",
] as const;

/** Whether a replay would change nothing (revision aside), so no write is needed. */
function sameConversation(a: ConversationDocument, b: ConversationDocument): boolean {
  const value = (v: unknown) => (v instanceof Date ? v.getTime() : v);
  return comparedFields.every((field) => value(a[field]) === value(b[field]));
}

export function conversationCollections(db: Db, names: { messages: string; conversations: string }) {
  return {
    messages: db.collection<InboundMessageDocument>(names.messages),
    conversations: db.collection<ConversationDocument>(names.conversations),
  };
}
