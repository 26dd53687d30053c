import type { MessageStatusEvent } from "../../../contracts/generated/types";
import {
  ALICE,
  BOB,
  CAROL,
  GROUP_ID,
  groupStatus,
  participantStatus,
} from "../../../tests/fixtures/group-events";
import { statusEvent } from "../../../tests/fixtures/status-events";
import { evolveMessageStatus, type MessageStatusDocument } from "./status-timeline";

const wamid = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBQkNERUY=";
const fold = (events: MessageStatusEvent[]): MessageStatusDocument =>
  events.reduce<MessageStatusDocument | null>((doc, event) => evolveMessageStatus(doc, event), null)!;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

const conversation = { id: "conv-1", originType: "utility", expiration: 1750350180000 };
const pricing = { billable: true, model: "PMP", category: "utility", type: "regular" };
const lifecycle = [
  statusEvent(wamid, "sent", 100, { conversation, pricing, bizOpaqueCallbackData: "order-17" }),
  statusEvent(wamid, "delivered", 101, {
    conversation,
    pricing: { ...pricing, type: "free_customer_service" },
  }),
  statusEvent(wamid, "read", 105),
  statusEvent(wamid, "played", 107),
];

describe("evolveMessageStatus", () => {
  it("gives one and the same document for every permutation of a message's statuses", () => {
    const all = permutations(lifecycle);
    expect(all).toHaveLength(24);
    const expected = fold(lifecycle);
    for (const order of all) expect(fold(order)).toEqual(expected);
    expect(expected).toMatchObject({
      _id: wamid,
      status: "played",
      sentAt: new Date(100_000),
      deliveredAt: new Date(101_000),
      readAt: new Date(105_000),
      playedAt: new Date(107_000),
      failedAt: null,
      updatedAt: new Date(107_000),
      conversation,
      pricing: { ...pricing, type: "free_customer_service" },
      bizOpaqueCallbackData: "order-17",
    });
    expect(expected.timeline.map((e) => e.status)).toEqual(["sent", "delivered", "read", "played"]);
  });

  it("takes the current status by lifecycle, not by time or arrival (read arriving with an earlier timestamp)", () => {
    const skewed = [
      statusEvent(wamid, "read", 100),
      statusEvent(wamid, "delivered", 101),
      statusEvent(wamid, "sent", 101),
    ];
    for (const order of permutations(skewed)) expect(fold(order).status).toBe("read");
  });

  it("orders equal timestamps by lifecycle", () => {
    const sameSecond = [
      statusEvent(wamid, "delivered", 100),
      statusEvent(wamid, "sent", 100),
      statusEvent(wamid, "read", 100),
    ];
    expect(fold(sameSecond).timeline.map((e) => e.status)).toEqual(["sent", "delivered", "read"]);
  });

  it("keeps failed terminal, with its error codes", () => {
    const errors = [
      {
        code: 131047,
        title: "Re-engagement message",
        message: null,
        details: "more than 24 hours",
        href: null,
      },
    ];
    const events = [
      statusEvent(wamid, "sent", 100),
      statusEvent(wamid, "failed", 102, { errors }),
      statusEvent(wamid, "delivered", 103),
    ];
    for (const order of permutations(events)) {
      const doc = fold(order);
      expect(doc.status).toBe("failed");
      expect(doc.errors).toEqual(errors);
      expect(doc.failedAt).toEqual(new Date(102_000));
      expect(doc.timeline.find((e) => e.status === "failed")!.errors).toEqual(errors);
    }
  });

  it("collapses duplicates: an event already applied changes nothing", () => {
    const once = fold(lifecycle);
    expect(evolveMessageStatus(once, lifecycle[2]!)).toBe(once);
    expect(fold([...lifecycle, ...lifecycle, lifecycle[0]!])).toEqual(once);
  });

  it("keeps a status Meta adds later in the timeline without letting it override a known one", () => {
    const doc = fold([statusEvent(wamid, "delivered", 100), statusEvent(wamid, "some_new_status", 200)]);
    expect(doc.status).toBe("delivered");
    expect(doc.timeline.map((e) => e.status)).toEqual(["delivered", "some_new_status"]);
    expect(fold([statusEvent(wamid, "some_new_status", 200)]).status).toBe("some_new_status");
  });

  it("records the first time of each status", () => {
    const doc = fold([
      statusEvent(wamid, "delivered", 110),
      statusEvent(wamid, "delivered", 104),
      statusEvent(wamid, "sent", 100),
    ]);
    expect(doc.deliveredAt).toEqual(new Date(104_000));
    expect(doc.timeline).toHaveLength(3);
  });

  describe("recipientUserId and recipientParentUserId", () => {
    const bsuid = "US.13491208655302741918";
    const parentBsuid = "US.ENT.11815799212886844830";
    const newBsuid = "US.20837465019283746501";

    it("takes the BSUIDs from whichever status carried them, in any order", () => {
      const events = [
        statusEvent(wamid, "sent", 100),
        statusEvent(wamid, "delivered", 101, {
          recipientId: null,
          recipientUserId: bsuid,
          recipientParentUserId: parentBsuid,
        }),
        statusEvent(wamid, "read", 105, { recipientId: null, recipientUserId: bsuid }),
      ];
      const expected = fold(events);
      expect(expected).toMatchObject({ recipientUserId: bsuid, recipientParentUserId: parentBsuid });
      expect(expected.timeline.map((e) => [e.status, e.recipientUserId, e.recipientParentUserId])).toEqual([
        ["sent", undefined, undefined],
        ["delivered", bsuid, parentBsuid],
        ["read", bsuid, undefined],
      ]);
      for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
    });

    it("keeps the value of the latest status by the timeline's order when they differ", () => {
      const events = [
        statusEvent(wamid, "sent", 100, { recipientUserId: bsuid }),
        statusEvent(wamid, "delivered", 101, { recipientUserId: newBsuid }),
        statusEvent(wamid, "read", 101, { recipientUserId: bsuid }),
        statusEvent(wamid, "some_new_status", 90, { recipientUserId: newBsuid }),
      ];
      for (const order of permutations(events)) expect(fold(order).recipientUserId).toBe(bsuid);
      const sameTimeAsRead = [...events.slice(0, 2), statusEvent(wamid, "read", 101)];
      for (const order of permutations(sameTimeAsRead)) expect(fold(order).recipientUserId).toBe(newBsuid);
    });

    it("leaves both out while no status carried them: null, or absent from records of schema version 1", () => {
      const {
        recipientUserId: _u,
        recipientParentUserId: _p,
        ...versionOne
      } = statusEvent(wamid, "read", 105);
      const document = fold([statusEvent(wamid, "sent", 100), versionOne as MessageStatusEvent]);
      expect(document).not.toHaveProperty("recipientUserId");
      expect(document).not.toHaveProperty("recipientParentUserId");
      expect(
        document.timeline.every((e) => !("recipientUserId" in e) && !("recipientParentUserId" in e)),
      ).toBe(true);
      expect(
        fold([
          versionOne as MessageStatusEvent,
          statusEvent(wamid, "delivered", 101, { recipientUserId: bsuid }),
        ]),
      ).toMatchObject({ recipientUserId: bsuid, recipientId: "16505551234" });
    });
  });

  describe("a group message: one status per participant", () => {
    const at = (seconds: number) => new Date(seconds * 1000);
    const delivered = [ALICE, BOB, CAROL].map((who) => groupStatus(wamid, "delivered", 101, who));
    const events = [
      groupStatus(wamid, "sent", 100, ALICE),
      groupStatus(wamid, "sent", 100, BOB),
      groupStatus(wamid, "sent", 100, CAROL),
      ...delivered,
      groupStatus(wamid, "read", 104, BOB),
    ];

    it("keeps every participant's statuses, so who has read it is one read of the document", () => {
      const expected = fold(events);
      expect(expected).toMatchObject({
        recipientId: GROUP_ID,
        recipientType: "group",
        groupId: GROUP_ID,
        status: "read",
        sentAt: at(100),
        deliveredAt: at(101),
        readAt: at(104),
      });
      expect(expected.timeline).toHaveLength(7);
      expect(expected.participants).toEqual([
        participantStatus(ALICE, "delivered", { sentAt: at(100), deliveredAt: at(101) }),
        participantStatus(BOB, "read", { sentAt: at(100), deliveredAt: at(101), readAt: at(104) }),
        participantStatus(CAROL, "delivered", { sentAt: at(100), deliveredAt: at(101) }),
      ]);
      expect(
        expected.timeline
          .filter((e) => e.status === "delivered")
          .map((e) => e.participantId)
          .sort(),
      ).toEqual([ALICE.waId, BOB.waId, CAROL.waId].sort());
      for (const order of permutations(delivered))
        expect(fold([...events.slice(0, 3), ...order, events[6]!])).toEqual(expected);
    });

    it("is as far as any participant got: one participant's failure fails only theirs", () => {
      const failed = groupStatus(wamid, "failed", 102, CAROL);
      const document = fold([...events, failed]);
      expect(document.status).toBe("read");
      expect(document.failedAt).toEqual(at(102));
      expect(document.participants!.find((p) => p.participantId === CAROL.waId)!.status).toBe("failed");
      expect(fold([groupStatus(wamid, "failed", 102, CAROL)]).status).toBe("failed");
    });

    it("takes a participant named by phone number in one status and by BSUID in another as one", () => {
      const byUserId = { ...groupStatus(wamid, "read", 105, ALICE), recipientParticipantId: null };
      const document = fold([...events, byUserId]);
      expect(document.participants).toHaveLength(3);
      expect(document.participants![0]).toMatchObject({
        participantId: ALICE.waId,
        status: "read",
        readAt: at(105),
      });
    });
  });
});
