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
});
