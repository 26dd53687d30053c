import type { InboundMessageEvent, MessageStatusEvent } from "../../contracts/generated/types";
import golden from "../../tests/fixtures/read-models-e5d0f8e.json";
import { evolveConversation, type ConversationDocument } from "./conversation/conversation-document";
import { conversationIdOf } from "./conversation/customer-identity";
import { inboundMessageDocument } from "./conversation/inbound-message";
import { evolveMessageStatus, type MessageStatusDocument } from "./status/status-timeline";

// The documents the projections gave before they became declarations (commit e5d0f8e), for the same
// events parsed from Meta-shaped fixtures: every public field must stay as it was. `revision` is the
// store's concurrency counter (no longer part of what evolve returns); `messageJson` and the identity
// fields (`fromUserId`, `userId`, `identitySeenAt`, ...) are new, so each document is compared on the
// fields the old one had.
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
/** Each document cut down to the fields of the old document at the same position. */
const onOldFields = (documents: unknown[], old: unknown[]): unknown[] =>
  documents.map((document, i) =>
    Object.fromEntries(
      Object.keys(old[i] as object).map((key) => [key, (document as Record<string, unknown>)[key]]),
    ),
  );
const withoutRevision = (documents: unknown[]) =>
  documents.map((document) => {
    const { revision: _revision, ...rest } = document as Record<string, unknown>;
    return rest;
  });

it("gives the same message_statuses documents as before", () => {
  const documents = new Map<string, MessageStatusDocument>();
  for (const event of golden.statusEvents as unknown as MessageStatusEvent[])
    documents.set(event.wamid, evolveMessageStatus(documents.get(event.wamid) ?? null, event));
  expect(asJson([...documents.values()])).toEqual(withoutRevision(golden.statusDocuments));
});

it("gives the same inbound_messages documents as before, with messageJson null for plain content", () => {
  const events = golden.inboundEvents as unknown as InboundMessageEvent[];
  const documents = events.map(inboundMessageDocument);
  expect(documents.every((document) => document.messageJson === null)).toBe(true);
  expect(onOldFields(asJson(documents) as unknown[], golden.messages)).toEqual(golden.messages);
});

it("gives the same conversations documents as before, with the count the framework derives", () => {
  const byConversation = new Map<string, ConversationDocument>();
  const counts = new Map<string, number>();
  for (const event of golden.inboundEvents as unknown as InboundMessageEvent[]) {
    const id = conversationIdOf(event);
    byConversation.set(id, evolveConversation(byConversation.get(id) ?? null, event)!);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const documents = [...byConversation].map(([id, document]) => ({
    ...document,
    messageCount: counts.get(id),
  }));
  const old = withoutRevision(golden.conversations);
  expect(onOldFields(asJson(documents) as unknown[], old)).toEqual(old);
});
