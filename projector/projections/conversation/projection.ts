import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { requireEventFields } from "../../framework/event-validation";
import { documentPerEvent, folded, type Projection } from "../../framework/projection";
import {
  conversationIdOf,
  evolveConversation,
  inboundMessageDocument,
  type ConversationDocument,
  type InboundMessageDocument,
} from "./inbound-conversation";

/** whatsapp.message.inbound.v1 -> inbound_messages (one per message) and conversations. */
export const conversationProjection: Projection<InboundMessageEvent> = {
  name: "conversation",
  topic: "inboundMessage",
  validate: (decoded) =>
    requireEventFields<InboundMessageEvent>(decoded, [
      "eventId",
      "wamid",
      "from",
      "phoneNumberId",
      "wabaId",
      "type",
    ]),
  readModels: [
    documentPerEvent<InboundMessageEvent, InboundMessageDocument>({
      collection: "inbound_messages",
      indexes: [
        { conversationId: 1, timestamp: -1 },
        { phoneNumberId: 1, timestamp: -1 },
      ],
      document: inboundMessageDocument,
    }),
    folded<InboundMessageEvent, ConversationDocument>({
      collection: "conversations",
      indexes: [{ phoneNumberId: 1, lastMessageAt: -1 }, { serviceWindowExpiresAt: 1 }],
      documentId: conversationIdOf,
      evolve: evolveConversation,
      exactCount: { field: "messageCount", of: "inbound_messages", by: "conversationId" },
    }),
  ],
};
