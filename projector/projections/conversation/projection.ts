import { readModel, type Projection } from "../../framework/projection";
import {
  businessAppMessageIdOf,
  evolveBusinessAppMessage,
  type BusinessAppMessageDocument,
} from "./business-app-message";
import {
  conversationEventOf,
  conversationIdsOf,
  isBusinessAppMessage,
  isConversationRecord,
  isInboundMessage,
  type ConversationEvent,
} from "./conversation-event";
import {
  evolveConversationWith,
  mergeConversations,
  type ConversationDocument,
} from "./conversation-document";
import { customerLinks } from "./customer-links";
import { conversationSurvivor } from "./customer-identity";
import {
  changedMessageIdOf,
  evolveInboundMessage,
  inboundMessageIdOf,
  type InboundMessageDocument,
} from "./inbound-message";

/** A message's document names its conversation by the survivor of the customer's ids (a change-only one names none yet). */
const inConversation = <D extends InboundMessageDocument>(
  document: D | null,
  conversationId: string,
): D | null =>
  document && document.conversationId !== null && document.conversationId !== conversationId
    ? { ...document, conversationId }
    : document;

/**
 * One conversation per business number and customer, from everything the customer and the business
 * exchange 1:1: whatsapp.message.inbound.v1 (group messages are the groups projection's) ->
 * inbound_messages; whatsapp.message.business-app.v1 (echoes and imported history) ->
 * business_app_messages; whatsapp.user.preference.v1 (marketing stop / resume); all of them ->
 * conversations. The customer's ids are resolved first (customer-links): every event then names the
 * conversation it belongs to.
 */
export const conversationProjection: Projection<ConversationEvent> = {
  name: "conversation",
  topics: ["inboundMessage", "businessAppMessage", "userPreference"],
  canHandle: isConversationRecord,
  validate: conversationEventOf,
  grouping: customerLinks<ConversationEvent, ConversationDocument>({
    collection: "conversations",
    ids: conversationIdsOf,
    survivor: conversationSurvivor,
    merge: mergeConversations,
    references: [
      { collection: "inbound_messages", field: "conversationId" },
      { collection: "business_app_messages", field: "conversationId" },
    ],
  }),
  readModels: [
    readModel<ConversationEvent, InboundMessageDocument>({
      collection: "inbound_messages",
      indexes: [
        { conversationId: 1, timestamp: -1 },
        { phoneNumberId: 1, timestamp: -1 },
      ],
      documentId: (event) => (isInboundMessage(event) ? inboundMessageIdOf(event.message) : null),
      evolve: (current, event) =>
        isInboundMessage(event)
          ? inConversation(evolveInboundMessage(current, event.message), event.conversationId)
          : current,
      likelyFirst: (event) => isInboundMessage(event) && changedMessageIdOf(event.message) === null,
    }),
    readModel<ConversationEvent, BusinessAppMessageDocument>({
      collection: "business_app_messages",
      indexes: [{ conversationId: 1, timestamp: -1 }],
      documentId: (event) =>
        isBusinessAppMessage(event) ? businessAppMessageIdOf(event.businessAppMessage) : null,
      evolve: (current, event) =>
        isBusinessAppMessage(event)
          ? inConversation(evolveBusinessAppMessage(current, event.businessAppMessage), event.conversationId)
          : current,
    }),
    readModel<ConversationEvent, ConversationDocument>({
      collection: "conversations",
      indexes: [{ phoneNumberId: 1, lastMessageAt: -1 }, { serviceWindowExpiresAt: 1 }],
      documentId: ({ conversationId }) => conversationId,
      evolve: evolveConversationWith,
      // A message's document that holds only an edit or revoke has no conversationId yet: not counted.
      exactCount: { field: "messageCount", of: "inbound_messages", by: "conversationId" },
    }),
  ],
};
