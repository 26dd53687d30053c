import { requireEventFields } from "../../framework/event-validation";
import { readModel, type Projection } from "../../framework/projection";
import { evolveConversation, mergeConversations, type ConversationDocument } from "./conversation-document";
import { customerLinks, type CustomerMessage } from "./customer-links";
import { conversationIdOf, conversationSurvivor, customerIdsOf } from "./customer-identity";
import {
  changedMessageIdOf,
  evolveInboundMessage,
  inboundMessageIdOf,
  type InboundMessageDocument,
} from "./inbound-message";

/** A message's document names its conversation by the survivor of the customer's ids (a change-only one names none yet). */
const inConversation = (
  document: InboundMessageDocument | null,
  conversationId: string,
): InboundMessageDocument | null =>
  document && document.conversationId !== null && document.conversationId !== conversationId
    ? { ...document, conversationId }
    : document;

/**
 * whatsapp.message.inbound.v1 -> inbound_messages (one per message, its edits and revoke folded in) and
 * conversations (one per business number and customer, by phone number or BSUID, linked). The customer's
 * ids are resolved first (customer-links): every event then names the conversation it belongs to.
 */
export const conversationProjection: Projection<CustomerMessage> = {
  name: "conversation",
  topics: ["inboundMessage"],
  validate: (decoded) => {
    const message = requireEventFields<CustomerMessage["message"]>(decoded, [
      "eventId",
      "wamid",
      "from",
      "phoneNumberId",
      "wabaId",
      "type",
    ]);
    return typeof message === "string" ? message : { message, conversationId: conversationIdOf(message) };
  },
  grouping: customerLinks<ConversationDocument>({
    collection: "conversations",
    ids: customerIdsOf,
    survivor: conversationSurvivor,
    merge: mergeConversations,
    reference: { collection: "inbound_messages", field: "conversationId" },
  }),
  readModels: [
    readModel<CustomerMessage, InboundMessageDocument>({
      collection: "inbound_messages",
      indexes: [
        { conversationId: 1, timestamp: -1 },
        { phoneNumberId: 1, timestamp: -1 },
      ],
      documentId: ({ message }) => inboundMessageIdOf(message),
      evolve: (current, { message, conversationId }) =>
        inConversation(evolveInboundMessage(current, message), conversationId),
      likelyFirst: ({ message }) => changedMessageIdOf(message) === null,
    }),
    readModel<CustomerMessage, ConversationDocument>({
      collection: "conversations",
      indexes: [{ phoneNumberId: 1, lastMessageAt: -1 }, { serviceWindowExpiresAt: 1 }],
      documentId: ({ conversationId }) => conversationId,
      evolve: (current, { message }) => evolveConversation(current, message),
      // A message's document that holds only an edit or revoke has no conversationId yet: not counted.
      exactCount: { field: "messageCount", of: "inbound_messages", by: "conversationId" },
    }),
  ],
};
