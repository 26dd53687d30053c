import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { wamid } from "../../../tests/fixtures/meta-webhooks";
import { evolveConversation, mergeConversations } from "./conversation-document";
import {
  content,
  earlierId,
  fold,
  foldMessage,
  lastId,
  messagesAndChanges,
  permutations,
  splits,
  T,
  unseenId,
} from "../../../tests/fixtures/customer-scenarios";
import { evolveInboundMessage, inboundMessageIdOf, type InboundMessageDocument } from "./inbound-message";

// The README's promise: every document is a pure function of the distinct events applied, in any
// order. Checked here over every order of one customer's messages, edits and revokes.
const events = Object.values(messagesAndChanges);
const nameOf = new Map(Object.entries(messagesAndChanges).map(([name, event]) => [event, name]));
const orders = permutations(events);

/** The `inbound_messages` documents the events fold into, by id. */
function foldMessages(order: readonly InboundMessageEvent[]): Map<string, InboundMessageDocument> {
  const eventsOf = new Map<string, InboundMessageEvent[]>();
  for (const event of order) {
    const messageId = inboundMessageIdOf(event);
    eventsOf.set(messageId, [...(eventsOf.get(messageId) ?? []), event]);
  }
  return new Map(
    [...eventsOf]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([messageId, own]) => [messageId, foldMessage(own)]),
  );
}

/** The first few orders (by the events' names) for which `fails` holds: none is the expected answer. */
const ordersWhere = (fails: (order: readonly InboundMessageEvent[]) => boolean): string[][] =>
  orders
    .filter(fails)
    .slice(0, 3)
    .map((order) => order.map((event) => nameOf.get(event)!));

describe("every order of a customer's messages, edits and revokes", () => {
  const expected = fold(events);

  it("folds into the same conversation, field for field and in the same field order", () => {
    expect(expected).toMatchObject({
      messageCount: 0,
      firstMessageAt: new Date((T - 100) * 1000),
      lastMessageId: lastId,
      lastMessageOwnPreview: "Does it come in red?",
      lastMessagePreview: "In green?",
    });
    expect(expected.recentChanges.map((change) => change.id)).toEqual(
      ["edit-1", "edit-2", "revoke", "edit-3", "edit-4"].map(wamid),
    );
    const stored = JSON.stringify(expected);
    expect(ordersWhere((order) => JSON.stringify(fold(order)) !== stored)).toEqual([]);
  });

  it("folds into the same inbound_messages documents, field for field and in the same field order", () => {
    const messages = foldMessages(events);
    expect(messages.get(lastId)).toMatchObject({ type: "text", text: { body: "In green?" } });
    expect(messages.get(earlierId)).toMatchObject({ type: "text", revokeId: wamid("revoke") });
    expect(messages.get(unseenId)).toMatchObject({ type: null, editedAt: new Date((T + 50) * 1000) });
    const stored = JSON.stringify([...messages]);
    expect(ordersWhere((order) => JSON.stringify([...foldMessages(order)]) !== stored)).toEqual([]);
  });

  it("returns the documents themselves for a replay of any event, in every order", () => {
    const replayChanges = (order: readonly InboundMessageEvent[]) => {
      const conversation = fold(order);
      const messages = foldMessages(order);
      return events.some((event) => {
        const message = messages.get(inboundMessageIdOf(event))!;
        return (
          evolveConversation(conversation, event) !== conversation ||
          evolveInboundMessage(message, event) !== message
        );
      });
    };
    expect(ordersWhere(replayChanges)).toEqual([]);
  });

  it("joins into the same conversation from any two folds, whichever holds only changes", () => {
    for (const [first, second] of splits(events)) {
      expect(content(mergeConversations(fold(first), fold(second)))).toEqual(content(expected));
      expect(content(mergeConversations(fold(second), fold(first)))).toEqual(content(expected));
    }
  });
});
