import type { InboundMessageEvent } from "../../../contracts/generated/types";
import {
  ALICE,
  GROUP_ID,
  GROUP_T as T,
  groupMessage,
  groupMessageEdit,
} from "../../../tests/fixtures/group-events";
import { inboundEvent } from "../../../tests/fixtures/inbound-events";
import { PHONE_NUMBER_ID, WABA_ID, wamid } from "../../../tests/fixtures/meta-webhooks";
import { permutations } from "../../../tests/support/orders";
import { evolveInboundMessage } from "../conversation/inbound-message";
import { groupsProjectionVersion } from "./group-document";
import { evolveGroupMessage, type GroupMessageDocument } from "./group-message";

const fold = (events: readonly InboundMessageEvent[]): GroupMessageDocument =>
  events.reduce<GroupMessageDocument | null>((document, event) => evolveGroupMessage(document, event), null)!;

const id = wamid("group-message");
const revoke = inboundEvent(
  wamid("group-revoke"),
  T + 30,
  { type: "revoke", revoke: { original_message_id: id }, group_id: GROUP_ID },
  { waId: ALICE.waId },
);

describe("evolveGroupMessage", () => {
  it("keeps the message as inbound_messages would, with its group in place of a conversation", () => {
    const event = groupMessage(id, T);
    const { conversationId, ...inbound } = evolveInboundMessage(null, event);
    const document = fold([event]);

    expect(conversationId).not.toBeNull();
    expect(document).toEqual({ ...inbound, groupId: GROUP_ID, projectionVersion: groupsProjectionVersion });
    expect(document).toMatchObject({
      _id: id,
      groupId: GROUP_ID,
      from: ALICE.waId,
      fromWaId: ALICE.waId,
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: WABA_ID,
      timestamp: new Date(T * 1000),
      type: "text",
      text: { body: "Is the monstera back in stock?" },
    });
    expect(document).not.toHaveProperty("conversationId");
  });

  it("folds edits in any order, the latest edit's content showing; before the message it counts in no group", () => {
    const events = [
      groupMessage(id, T),
      groupMessageEdit(id, T + 10, "In blue?"),
      groupMessageEdit(id, T + 20, "In green?"),
    ];
    const expected = fold(events);
    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
    expect(expected).toMatchObject({
      groupId: GROUP_ID,
      text: { body: "In green?" },
      editedAt: new Date((T + 20) * 1000),
    });
    expect(expected.edits).toHaveLength(2);

    expect(fold([groupMessageEdit(id, T + 10, "In blue?")])).toMatchObject({
      _id: id,
      groupId: null,
      type: null,
    });
  });

  it("removes a revoked message's content, in any order, keeping its group", () => {
    const events = [groupMessage(id, T), groupMessageEdit(id, T + 10, "In blue?"), revoke];
    const expected = fold(events);
    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
    expect(expected).toMatchObject({ groupId: GROUP_ID, type: "text", revokedAt: new Date((T + 30) * 1000) });
    expect(expected).not.toHaveProperty("text");
  });

  it("returns the document itself for an event already reflected", () => {
    const edit = groupMessageEdit(id, T + 10, "In blue?");
    const document = fold([groupMessage(id, T), edit]);
    expect(evolveGroupMessage(document, groupMessage(id, T))).toBe(document);
    expect(evolveGroupMessage(document, edit)).toBe(document);
  });
});
