import type { AnyBulkWriteOperation, Collection, Db } from "mongodb";
import type { InboundMessageEvent } from "../../contracts/generated/types";
import type { BatchOutcome } from "../runtime/projection";
import { bulkWriteInChunks, countByField } from "../runtime/mongo-batches";
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
 * Applies a batch of inbound events: bulk inserts of new messages (a message stored before is refused
 * as a duplicate key, so replays add nothing), an exact count of each touched conversation's distinct
 * messages (indexed equality counts), and bulk writes of the touched conversations.
 */
export async function applyInboundEvents(
  messages: Collection<InboundMessageDocument>,
  conversations: Collection<ConversationDocument>,
  events: readonly InboundMessageEvent[],
): Promise<BatchOutcome> {
  const distinct = [...new Map(events.map((event) => [event.wamid, event])).values()];
  const inserts: AnyBulkWriteOperation<InboundMessageDocument>[] = distinct.map((event) => ({
    insertOne: { document: inboundMessageDocument(event) },
  }));
  const inserted = await bulkWriteInChunks(messages, inserts);
  // A duplicate key is a message stored before (a replay or redelivery): it is there, which is all we need.
  const refused = inserted.writeErrors.filter((e) => e.code !== 11000);
  if (refused.length > 0)
    throw new Error(`${refused.length} inbound messages refused: ${refused[0]!.message}`);
  const applied = inserted.insertedCount;

  const byConversation = new Map<string, InboundMessageEvent[]>();
  for (const event of distinct) {
    const id = conversationIdOf(event);
    byConversation.set(id, [...(byConversation.get(id) ?? []), event]);
  }
  const ids = [...byConversation.keys()];
  const counts = await countByField(messages, "conversationId", ids);
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
