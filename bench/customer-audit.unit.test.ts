import {
  customerFindings,
  customerReads,
  resentTwice,
  type CustomerReadModels,
  type StoredConversation,
  type StoredMessage,
} from "./customer-audit";
import type { CustomerEffects, ExpectedEffects } from "./delivery-mix";

// One customer known by phone (P), then BSUID (B), then both; a message of theirs edited, another revoked.
const P = "pn:16510000000001";
const B = "pn:US.10000000000011";
const effects: CustomerEffects[] = [
  { key: "c", ids: [P], messages: ["m1"], edits: [], revokes: [] },
  { key: "c", ids: [B], messages: ["m2"], edits: [], revokes: [] },
  { key: "c", ids: [B], messages: [], edits: [{ of: "m1", id: "e1", at: 15, body: "edited" }], revokes: [] },
  { key: "c", ids: [P, B], messages: [], edits: [], revokes: [{ of: "m2", id: "r2", at: 25 }] },
  { key: "c", ids: [P, B], messages: ["m3"], edits: [], revokes: [] },
];

const message = (id: string, extra: Partial<StoredMessage> = {}): StoredMessage => ({
  _id: id,
  conversationId: P,
  type: "text",
  text: { body: `text of ${id}` },
  ...extra,
});

/** What the projection must leave: one live conversation under P counting 3 messages, B a pointer to it. */
function shown(): { messages: Map<string, StoredMessage>; conversations: Map<string, StoredConversation> } {
  return {
    messages: new Map([
      ["m1", message("m1", { text: { body: "edited" }, edits: [{ id: "e1" }] })],
      ["m2", message("m2", { text: undefined, revokedAt: new Date(25_000), revokeId: "r2" })],
      ["m3", message("m3")],
    ]),
    conversations: new Map<string, StoredConversation>([
      [P, { _id: P, messageCount: 3 }],
      [B, { _id: B, mergedInto: P }],
    ]),
  };
}

const findings = (read: CustomerReadModels) => customerFindings(effects, read);

it("finds nothing wrong when the customer is one conversation showing every change", () => {
  expect(findings(shown())).toEqual({
    customers: 1,
    merged: 1,
    failedMerges: 0,
    lost: 0,
    duplicated: 0,
    details: [],
  });
});

it("does not care which id the merge keeps", () => {
  const read = shown();
  for (const m of read.messages.values()) m.conversationId = B;
  read.conversations.set(B, { _id: B, messageCount: 3 });
  read.conversations.set(P, { _id: P, mergedInto: B });
  expect(findings(read)).toMatchObject({ merged: 1, failedMerges: 0, lost: 0, duplicated: 0 });
});

it("reports a failed merge: two live conversations, the messages split between them", () => {
  const read = shown();
  read.messages.get("m2")!.conversationId = B;
  read.conversations.set(P, { _id: P, messageCount: 2 });
  read.conversations.set(B, { _id: B, messageCount: 1 });
  const result = findings(read);
  expect(result).toMatchObject({ merged: 0, failedMerges: 1, lost: 0, duplicated: 0 });
  expect(result.details).toEqual([
    `customer c: failed merge: messages in 2 conversations (${P}, ${B}); 2 live conversations (${P}, ${B})`,
  ]);
});

it("reports a failed merge when an id leads nowhere or to another conversation", () => {
  const read = shown();
  read.conversations.delete(B);
  expect(findings(read).details).toEqual([`customer c: failed merge: ${B} leads nowhere`]);
  read.conversations.set(B, { _id: B, mergedInto: "pn:elsewhere" });
  expect(findings(read).details).toEqual([`customer c: failed merge: ${B} points to pn:elsewhere, not ${P}`]);
});

it("reports messages kept in a conversation turned into a pointer", () => {
  const read = shown();
  read.conversations.set(P, { _id: P, mergedInto: B });
  read.conversations.set(B, { _id: B, messageCount: 3 });
  const result = findings(read);
  expect(result.failedMerges).toBe(1);
  expect(result.details[0]).toContain(`messages in ${P}, a pointer to ${B}`);
  expect(result.lost).toBe(3);
});

it("counts a message counted twice as duplicated", () => {
  const read = shown();
  read.conversations.set(P, { _id: P, messageCount: 4 });
  const result = findings(read);
  expect(result).toMatchObject({ lost: 0, duplicated: 1, failedMerges: 0 });
  expect(result.details).toEqual([`conversation ${P} counts 4 messages, it holds 3 acknowledged ones`]);
});

it("counts a message not stored, or stored only as its changes, as lost", () => {
  const read = shown();
  read.messages.delete("m3");
  read.conversations.set(P, { _id: P, messageCount: 2 });
  expect(findings(read)).toMatchObject({
    lost: 1,
    duplicated: 0,
    details: ["customer c: 1 acknowledged messages not stored (m3)"],
  });
  read.messages.set("m3", message("m3", { conversationId: null, type: null }));
  expect(findings(read).lost).toBe(1);
});

it("counts an edit or a revoke not shown as lost, an edit shown twice as duplicated", () => {
  const noEdit = shown();
  noEdit.messages.set("m1", message("m1"));
  expect(findings(noEdit)).toMatchObject({ lost: 2, duplicated: 0 });
  expect(findings(noEdit).details).toEqual([
    "message m1: edit e1 shown 0 times",
    'message m1: shows "text of m1", not its latest edit e1',
  ]);

  const twice = shown();
  twice.messages.get("m1")!.edits = [{ id: "e1" }, { id: "e1" }];
  expect(findings(twice)).toMatchObject({ lost: 0, duplicated: 1 });

  const notRevoked = shown();
  notRevoked.messages.set("m2", message("m2"));
  expect(findings(notRevoked)).toMatchObject({
    lost: 1,
    details: ["message m2: not shown withdrawn by r2 (revokeId none, text kept)"],
  });
});

it("expects only ids some acknowledged delivery linked to share a conversation", () => {
  // The delivery naming both ids was not acknowledged: two conversations are then right.
  const unlinked = effects.filter((effect) => effect.ids.length === 1);
  const read: CustomerReadModels = {
    messages: new Map([
      ["m1", message("m1", { text: { body: "edited" }, edits: [{ id: "e1" }] })],
      ["m2", message("m2", { conversationId: B })],
    ]),
    conversations: new Map<string, StoredConversation>([
      [P, { _id: P, messageCount: 1 }],
      [B, { _id: B, messageCount: 1 }],
    ]),
  };
  expect(customerFindings(unlinked, read)).toEqual({
    customers: 1,
    merged: 0,
    failedMerges: 0,
    lost: 0,
    duplicated: 0,
    details: [],
  });
});

it("reads every message acknowledged or changed and every id used", () => {
  expect(customerReads(effects)).toEqual({ wamids: ["m1", "m2", "m3"], customerIds: [P, B] });
});

it("counts a resend only when both sendings were acknowledged", () => {
  const customer = effects[0]!;
  const sent = (signature: string, acknowledged: boolean, resent?: boolean) => ({
    delivery: {
      signature,
      effects: {
        statuses: [],
        inbound: [],
        otherChanges: 0,
        customer: { ...customer, resent },
      } as ExpectedEffects,
    },
    acknowledged,
  });
  expect(
    resentTwice([sent("s1", true), sent("s1", true, true), sent("s2", true), sent("s2", false, true)]),
  ).toBe(1);
  expect(resentTwice([sent("s1", false), sent("s1", true, true)])).toBe(0);
});
