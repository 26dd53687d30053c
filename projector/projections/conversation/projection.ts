import type { InboundMessageEvent } from "../../contracts/generated/types";
import { missingStringField } from "../runtime/event-validation";
import type { Projection } from "../runtime/projection";
import {
  applyInboundEvents,
  conversationCollections,
  conversationsCollection,
  ensureConversationIndexes,
  inboundMessagesCollection,
} from "./conversation-store";

const namesOf = (collections: Record<string, string>) => ({
  messages: collections.messages!,
  conversations: collections.conversations!,
});

/** whatsapp.message.inbound.v1 -> inbound_messages and conversations. */
export const conversationProjection: Projection<InboundMessageEvent> = {
  serviceName: "whatsapp-conversation-projector",
  topic: "inboundMessage",
  collections: { messages: inboundMessagesCollection, conversations: conversationsCollection },
  validate(decoded) {
    const missing = missingStringField(decoded, [
      "eventId",
      "wamid",
      "from",
      "phoneNumberId",
      "wabaId",
      "type",
    ]);
    if (missing) return missing;
    const event = decoded as InboundMessageEvent;
    if (!Number.isFinite(event.timestamp) || event.timestamp <= 0) return "timestamp is not a positive time";
    return event;
  },
  async ensureIndexes(db, collections) {
    const { messages, conversations } = conversationCollections(db, namesOf(collections));
    await ensureConversationIndexes(messages, conversations);
  },
  async apply(db, collections, events) {
    const { messages, conversations } = conversationCollections(db, namesOf(collections));
    return applyInboundEvents(messages, conversations, events);
  },
};
