import type { Db } from "mongodb";

/** Each read model's indexes besides `_id`, as docs/read-models.md writes them, sorted. */
export const documentedIndexes: Record<string, string[]> = {
  message_statuses: ["{phoneNumberId: 1, updatedAt: -1}", "{recipientId: 1}", "{status: 1, updatedAt: -1}"],
  inbound_messages: ["{conversationId: 1, timestamp: -1}", "{phoneNumberId: 1, timestamp: -1}"],
  business_app_messages: ["{conversationId: 1, timestamp: -1}"],
  conversations: ["{phoneNumberId: 1, lastMessageAt: -1}", "{serviceWindowExpiresAt: 1}"],
  accounts: ["{restriction.until: 1}"],
  calls: ["{customerIds: 1}", "{phoneNumberId: 1, startedAt: -1}"],
  payments: ["{customerIds: 1}", "{phoneNumberId: 1, updatedAt: -1}"],
  group_messages: ["{groupId: 1, timestamp: -1}"],
  groups: ["{phoneNumberId: 1}"],
  phone_numbers: ["{wabaId: 1}"],
  templates: ["{wabaId: 1, name: 1, language: 1}", "{wabaId: 1, qualityScore: 1}", "{wabaId: 1, status: 1}"],
};

/** An index key in the docs' notation: fields in order, with their direction. */
const written = (key: Record<string, unknown>) =>
  `{${Object.entries(key)
    .map(([field, direction]) => `${field}: ${String(direction)}`)
    .join(", ")}}`;

/**
 * A collection's indexes besides `_id`, in the docs' notation, sorted: MongoDB lists them in creation
 * order, FerretDB 1.24 by name; both give each key's fields in order with their direction.
 */
export async function indexesOf(db: Db, collection: string): Promise<string[]> {
  const indexes = await db.collection(collection).listIndexes().toArray();
  return indexes
    .filter((index) => index.name !== "_id_")
    .map((index) => written(index.key as Record<string, unknown>))
    .sort();
}
