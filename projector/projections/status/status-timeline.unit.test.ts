import type { MessageStatusEvent } from "../../../contracts/generated/types";
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
});
