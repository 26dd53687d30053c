import { seededRandom } from "./delivery-mix";
import { statusLifecycle, type StatusEffect } from "./status-lifecycle";

function generate(count: number): StatusEffect[] {
  let id = 0;
  let clock = 1_750_000_000;
  const next = statusLifecycle({
    random: seededRandom(1),
    nextId: () => `wamid.${id++}`,
    clock: () => clock++,
    deliveredAfter: 50,
    readAfter: 200,
    readShare: 0.6,
  });
  return Array.from({ length: count }, next);
}

it("gives every message sent, then delivered after the lag, then sometimes read after its own lag", () => {
  const statuses = generate(20_000);
  const positions = new Map<string, Map<string, number>>();
  statuses.forEach((s, index) => {
    const byStatus = positions.get(s.wamid) ?? new Map<string, number>();
    expect(byStatus.has(s.status)).toBe(false);
    byStatus.set(s.status, index);
    positions.set(s.wamid, byStatus);
  });
  for (const byStatus of positions.values()) {
    const sent = byStatus.get("sent")!;
    expect(sent).toBeDefined();
    const delivered = byStatus.get("delivered");
    if (delivered !== undefined) expect(delivered - sent).toBeGreaterThanOrEqual(50);
    const read = byStatus.get("read");
    if (read !== undefined) expect(read - delivered!).toBeGreaterThanOrEqual(200);
  }
});

it("opens a new message with about 4 statuses in 10 once the first ones come due", () => {
  const steady = generate(40_000).slice(10_000);
  const share = (status: string) => steady.filter((s) => s.status === status).length / steady.length;
  // One message: sent, delivered, and read 6 times in 10: 2.6 statuses.
  expect(share("sent")).toBeCloseTo(1 / 2.6, 1);
  expect(share("delivered")).toBeCloseTo(1 / 2.6, 1);
  expect(share("read")).toBeCloseTo(0.6 / 2.6, 1);
});

it("stamps statuses with the clock, in the order they are generated", () => {
  const timestamps = generate(1000).map((s) => s.timestamp);
  expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
  expect(new Set(timestamps).size).toBe(1000);
});
