import type { GroupEvent, InboundMessageEvent } from "../../../contracts/generated/types";
import {
  ALICE,
  BOB,
  CAROL,
  GROUP_ID,
  GROUP_T as T,
  groupCreated,
  groupEvent,
  groupMessage,
  groupMessageEdit,
  participantRemoved,
  participantsAdded,
  subjectChanged,
} from "../../../tests/fixtures/group-events";
import { inboundEvent } from "../../../tests/fixtures/inbound-events";
import { inboundMessageBodies, wamid } from "../../../tests/fixtures/meta-webhooks";
import { expectProjectionLaws, projected } from "../../../tests/support/projection-laws";
import type { GroupsEvent } from "./group-document";
import { groupsProjection } from "./projection";

const fromGroupTopic = (event: GroupEvent) => groupsProjection.validate(event, "groupEvent") as GroupsEvent;
const fromInboundTopic = (event: InboundMessageEvent) =>
  groupsProjection.validate(event, "inboundMessage") as GroupsEvent;
const label = (event: GroupsEvent) =>
  event.kind === "group" ? `${event.event.type}@${event.event.timestamp! / 1000 - T}` : event.message.type;

const first = wamid("group-first");
const second = wamid("group-second");

describe("the groups projection, run by the framework over the in-memory store", () => {
  it("handles every group event and only the inbound messages written in a group", () => {
    const oneToOne = inboundEvent(wamid("one-to-one"), T, inboundMessageBodies.text!);
    expect(groupsProjection.canHandle!(groupCreated(T), "groupEvent")).toBe(true);
    expect(groupsProjection.canHandle!(groupMessage(first, T), "inboundMessage")).toBe(true);
    expect(oneToOne.groupId).toBeNull();
    expect(groupsProjection.canHandle!(oneToOne, "inboundMessage")).toBe(false);
    expect(groupsProjection.validate({ ...groupCreated(T), timestamp: null }, "groupEvent")).toBe(
      "timestamp is not a positive time",
    );
  });

  it("passes the projection laws over a group's events and messages, edits included", async () => {
    const events = [
      fromGroupTopic(groupCreated(T)),
      fromGroupTopic(participantsAdded(T + 10, ALICE, BOB)),
      fromGroupTopic(participantRemoved(T + 20, BOB)),
      fromGroupTopic(subjectChanged(T + 30, "Plant lovers")),
      fromInboundTopic(groupMessage(first, T + 40)),
      fromInboundTopic(groupMessageEdit(first, T + 45, "Is the monstera back?")),
      fromInboundTopic(groupMessage(second, T + 50, CAROL)),
      fromGroupTopic(participantsAdded(T + 60, CAROL)),
    ];
    await expectProjectionLaws(groupsProjection, events, { label, sampledOrders: 150 });
  });

  it("counts a group's distinct messages exactly, an edit not among them, and shows its participants", async () => {
    const events = [
      fromInboundTopic(groupMessage(first, T + 40)),
      fromInboundTopic(groupMessageEdit(first, T + 45, "Is the monstera back?")),
      fromInboundTopic(groupMessage(second, T + 50, CAROL)),
      fromGroupTopic(participantsAdded(T + 10, ALICE, BOB)),
      fromGroupTopic(participantRemoved(T + 20, BOB)),
      fromGroupTopic(groupEvent("group_suspend", T + 70)),
    ];
    const { groups, group_messages } = await projected(groupsProjection, [events, events.slice(0, 2)]);

    expect(Object.keys(group_messages!).sort()).toEqual([first, second].sort());
    expect(groups![GROUP_ID]).toMatchObject({
      messageCount: 2,
      lastMessageAt: new Date((T + 50) * 1000),
      state: "suspended",
      participants: [{ waId: ALICE.waId, userId: ALICE.userId, since: new Date((T + 10) * 1000) }],
    });
    expect(groups![GROUP_ID]!.participants).toHaveLength(1);
  });
});
