import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { requireEventFields } from "../../framework/event-validation";
import { folded, type Projection } from "../../framework/projection";
import {
  changedMessageIdOf,
  conversationIdOf,
  conversationSurvivor,
  customerIdsOf,
  evolveConversation,
  evolveInboundMessage,
  inboundMessageIdOf,
  mergeConversations,
  type ConversationDocument,
  type InboundMessageDocument,
} from "./inbound-conversation";

/**
 * whatsapp.message.inbound.v1 -> inbound_messages (one per message, its edits and revoke folded in) and
 * conversations (one per business number and customer, by phone number or BSUID, linked).
 */
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
    folded<InboundMessageEvent, InboundMessageDocument>({
      collection: "inbound_messages",
      indexes: [
        { conversationId: 1, timestamp: -1 },
        { phoneNumberId: 1, timestamp: -1 },
      ],
      documentId: inboundMessageIdOf,
      evolve: evolveInboundMessage,
      likelyFirst: (event) => changedMessageIdOf(event) === null,
    }),
    folded<InboundMessageEvent, ConversationDocument>({
      collection: "conversations",
      indexes: [{ phoneNumberId: 1, lastMessageAt: -1 }, { serviceWindowExpiresAt: 1 }],
      documentId: conversationIdOf,
      evolve: evolveConversation,
      // A message's document that holds only an edit or revoke has no conversationId yet: not counted.
      exactCount: { field: "messageCount", of: "inbound_messages", by: "conversationId" },
      linked: {
        ids: customerIdsOf,
        survivor: conversationSurvivor,
        merge: mergeConversations,
        references: [{ collection: "inbound_messages", field: "conversationId" }],
      },
    }),
  ],
};
