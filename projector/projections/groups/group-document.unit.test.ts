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
  participant,
  participantRemoved,
  participantsAdded,
  subjectChanged,
} from "../../../tests/fixtures/group-events";
import { PHONE_NUMBER_ID, WABA_ID, wamid } from "../../../tests/fixtures/meta-webhooks";
import { permutations } from "../../../tests/support/orders";
import { evolveGroup, type GroupDocument, type GroupsEvent } from "./group-document";

const group = (event: GroupEvent): GroupsEvent => ({ kind: "group", event });
const message = (event: InboundMessageEvent): GroupsEvent => ({ kind: "message", message: event });
const fold = (events: readonly GroupsEvent[]): GroupDocument =>
  events.reduce<GroupDocument | null>((document, event) => evolveGroup(document, event), null)!;
const at = (seconds: number) => new Date(seconds * 1000);

describe("evolveGroup", () => {
  it("keeps the participants Meta reported, added minus removed by Meta's time, in every order of arrival", () => {
    const events = [
      group(groupCreated(T)),
      group(participantsAdded(T + 10, ALICE, BOB)),
      group(participantRemoved(T + 20, ALICE)),
      group(participantsAdded(T + 30, CAROL)),
      group(participantsAdded(T + 40, ALICE)),
    ];
    const expected = fold(events);
    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);

    expect(expected.participants).toEqual([
      { waId: BOB.waId, userId: BOB.userId, username: null, since: at(T + 10) },
      { waId: CAROL.waId, userId: CAROL.userId, username: "carol", since: at(T + 30) },
      // Removed, then added again: a participant since the later add.
      { waId: ALICE.waId, userId: ALICE.userId, username: "alice", since: at(T + 40) },
    ]);
    expect(expected.history.map((entry) => entry.at)).toEqual([0, 10, 20, 30, 40].map((s) => at(T + s)));
  });

  it("holds what group_create sent, and the state of the latest lifecycle or status event by time", () => {
    const created = fold([group(groupCreated(T))]);
    expect(created).toMatchObject({
      _id: GROUP_ID,
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: WABA_ID,
      subject: "Lucky Shrub VIPs",
      description: "Early access to new plants",
      inviteLink: "https://chat.whatsapp.com/Lx9XoaJgJ2yKc8Zq",
      joinApprovalMode: "auto_approve",
      state: "active",
      messageCount: 0,
      lastMessageAt: null,
    });
    const suspended = [group(groupCreated(T)), group(groupEvent("group_suspend", T + 5, { reason: "spam" }))];
    for (const order of permutations(suspended)) expect(fold(order).state).toBe("suspended");
    const cleared = [...suspended, group(groupEvent("group_suspend_cleared", T + 6))];
    for (const order of permutations(cleared)) expect(fold(order).state).toBe("active");
    const deleted = [...cleared, group(groupEvent("group_delete", T + 9))];
    for (const order of permutations(deleted)) expect(fold(order).state).toBe("deleted");
  });

  it("leaves the state to a failed operation's errors, and records them", () => {
    const errors = [
      { code: 131000, title: "Something went wrong", message: null, details: null, href: null },
    ];
    const document = fold([group(groupCreated(T)), group(groupEvent("group_delete", T + 1, { errors }))]);
    expect(document.state).toBe("active");
    expect(document.failedOperations).toEqual([
      { eventId: expect.any(String), type: "group_delete", at: at(T + 1), errors, failedParticipants: [] },
    ]);

    const partly = groupEvent("group_participants_remove", T + 2, {
      removedParticipants: [participant({ input: BOB.waId })],
      failedParticipants: [{ input: CAROL.waId, errors }],
      errors,
    });
    const afterRemoval = fold([group(participantsAdded(T, BOB, CAROL)), group(partly)]);
    expect(afterRemoval.participants.map((p) => p.waId)).toEqual([CAROL.waId]);
    expect(afterRemoval.failedOperations).toMatchObject([
      { type: "group_participants_remove", failedParticipants: [{ input: CAROL.waId, errors }] },
    ]);
  });

  it("shows the latest settings changes with whether they succeeded; only a successful one changes the subject", () => {
    const events = [
      group(groupCreated(T, "Plants")),
      group(subjectChanged(T + 10, "Plant lovers")),
      group(subjectChanged(T + 20, "Plant lovers!!!", false)),
      group(
        groupEvent("group_settings_update", T + 30, {
          profilePictureUpdate: {
            mimeType: "image/jpeg",
            sha256: "0f3a",
            updateSuccessful: true,
            errors: [],
          },
        }),
      ),
    ];
    const expected = fold(events);
    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
    expect(expected.subject).toBe("Plant lovers");
    expect(expected.settingsChanges).toEqual({
      subject: {
        text: "Plant lovers!!!",
        succeeded: false,
        errors: [expect.objectContaining({ code: 131000 })],
        at: at(T + 20),
      },
      description: null,
      profilePicture: { mimeType: "image/jpeg", sha256: "0f3a", succeeded: true, errors: [], at: at(T + 30) },
    });
  });

  it("keeps join requests pending until revoked or the requester is added", () => {
    const request = (type: string, seconds: number, id: string, who: typeof BOB) =>
      group(groupEvent(type, seconds, { joinRequestId: id, joinRequester: participant(who) }));
    const document = fold([
      request("group_join_request_created", T, "jr-bob", BOB),
      request("group_join_request_created", T + 1, "jr-carol", CAROL),
      request("group_join_request_created", T + 2, "jr-alice", ALICE),
      request("group_join_request_revoked", T + 3, "jr-carol", CAROL),
      group(participantsAdded(T + 4, BOB)),
    ]);
    expect(document.pendingJoinRequests).toEqual([
      {
        joinRequestId: "jr-alice",
        waId: ALICE.waId,
        userId: ALICE.userId,
        username: "alice",
        since: at(T + 2),
      },
    ]);
  });

  it("starts a group from its first message, before any group event, and keeps the latest message time", () => {
    const first = message(groupMessage(wamid("g-1"), T + 100));
    const later = message(groupMessage(wamid("g-2"), T + 200, BOB));
    const fromMessages = fold([later, first]);
    expect(fromMessages).toMatchObject({
      _id: GROUP_ID,
      phoneNumberId: PHONE_NUMBER_ID,
      state: "active",
      participants: [],
      history: [],
      lastMessageAt: at(T + 200),
    });
    // A message not later than the latest changes nothing.
    expect(evolveGroup(fromMessages, first)).toBe(fromMessages);
    const withEvents = [first, later, group(groupCreated(T)), group(participantsAdded(T + 1, ALICE))];
    const expected = fold(withEvents);
    for (const order of permutations(withEvents)) expect(fold(order)).toEqual(expected);
    expect(expected).toMatchObject({ subject: "Lucky Shrub VIPs", lastMessageAt: at(T + 200) });
  });

  it("returns the document itself for an event already in its history", () => {
    const document = fold([group(groupCreated(T)), group(participantsAdded(T + 1, ALICE))]);
    expect(evolveGroup(document, group(participantsAdded(T + 1, ALICE)))).toBe(document);
  });
});
