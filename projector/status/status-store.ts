import type { Collection, Db } from "mongodb";
import type { MessageStatusEvent } from "../../contracts/generated/types";
import { writeRevisioned } from "../runtime/revisioned-writes";
import type { BatchOutcome } from "../runtime/projection";
import { evolveMessageStatus, type MessageStatusDocument } from "./status-timeline";

export const messageStatusesCollection = "message_statuses";

export function messageStatuses(db: Db, name = messageStatusesCollection): Collection<MessageStatusDocument> {
  return db.collection<MessageStatusDocument>(name);
}

export async function ensureStatusIndexes(collection: Collection<MessageStatusDocument>): Promise<void> {
  await collection.createIndex({ phoneNumberId: 1, updatedAt: -1 });
  await collection.createIndex({ status: 1, updatedAt: -1 });
  await collection.createIndex({ recipientId: 1 });
}

/**
 * Applies a batch of status events: the touched messages' documents (remembered, read, or taken as new for
 * a sent status), then one bulk write.
 */
export async function applyStatusEvents(
  collection: Collection<MessageStatusDocument>,
  events: readonly MessageStatusEvent[],
): Promise<BatchOutcome> {
  const byMessage = new Map<string, MessageStatusEvent[]>();
  for (const event of events) byMessage.set(event.wamid, [...(byMessage.get(event.wamid) ?? []), event]);
  let outcome: BatchOutcome = { applied: 0, duplicates: 0 };
  await writeRevisioned(
    collection,
    [...byMessage.keys()],
    (current) => {
      outcome = { applied: 0, duplicates: 0 };
      const next = new Map<string, MessageStatusDocument>();
      for (const [wamid, messageEvents] of byMessage) {
        let document = current.get(wamid) ?? null;
        let changed = false;
        for (const event of messageEvents) {
          const result = evolveMessageStatus(document, event);
          document = result.document;
          changed ||= result.changed;
          if (result.changed) outcome.applied++;
          else outcome.duplicates++;
        }
        if (changed && document) next.set(wamid, document);
      }
      return next;
    },
    {
      // A message's sent status is normally its first: its document is written without a read before.
      likelyNew: (wamid) => byMessage.get(wamid)!.some((event) => event.status === "sent"),
    },
  );
  return outcome;
}
