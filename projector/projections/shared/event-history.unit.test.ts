import { permutations } from "../../../tests/support/orders";
import {
  latestByTime,
  latestPart,
  withEvent,
  withTimedEvent,
  type HistoryEntry,
  type TimedEntry,
} from "./event-history";

const entry = (eventId: string, atSeconds: number, receivedMs: number): HistoryEntry => ({
  eventId,
  at: new Date(atSeconds * 1000),
  receivedAt: new Date(receivedMs),
});
const fold = (entries: readonly HistoryEntry[]): HistoryEntry[] =>
  entries.reduce<HistoryEntry[]>((history, e) => withEvent(history, e) ?? history, []);

it("orders two events of one Meta second by their arrival, not by their ids", () => {
  // "z…" sorts after "a…": only the arrival puts it first.
  const history = fold([entry("a-approved", 100, 100_900), entry("z-pending", 100, 100_400)]);

  expect(history.map((e) => e.eventId)).toEqual(["z-pending", "a-approved"]);
});

it("keeps an event's earliest arrival, so a redelivery gives the same history in every order", () => {
  const events = [
    entry("a-approved", 100, 100_900),
    entry("z-pending", 100, 100_950), // a late redelivery of the pending change…
    entry("z-pending", 100, 100_400), // …which first came before the approval
    entry("m-paused", 101, 101_100),
  ];
  const expected = fold(events);

  expect(expected.map((e) => [e.eventId, e.receivedAt.getTime()])).toEqual([
    ["z-pending", 100_400],
    ["a-approved", 100_900],
    ["m-paused", 101_100],
  ]);
  for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
});

it("answers undefined for an event already there with an arrival no earlier", () => {
  const history = fold([entry("a", 100, 100_500)]);

  expect(withEvent(history, entry("a", 100, 100_500))).toBeUndefined();
  expect(withEvent(history, entry("a", 100, 100_800))).toBeUndefined();
});

describe("histories without arrival times", () => {
  const timed = (eventId: string, atSeconds: number, status?: string): TimedEntry & { status?: string } => ({
    eventId,
    at: new Date(atSeconds * 1000),
    ...(status ? { status } : {}),
  });
  const foldTimed = (entries: readonly (TimedEntry & { status?: string })[]) =>
    entries.reduce<(TimedEntry & { status?: string })[]>(
      (history, e) => withTimedEvent(history, e) ?? history,
      [],
    );

  it("orders by Meta's time, then event id, the same in every order; an event already there changes nothing", () => {
    const events = [timed("z", 100), timed("a", 100), timed("m", 99)];
    const expected = foldTimed(events);

    expect(expected.map((e) => e.eventId)).toEqual(["m", "a", "z"]);
    for (const order of permutations(events)) expect(foldTimed(order)).toEqual(expected);
    expect(withTimedEvent(expected, timed("a", 100))).toBeUndefined();
  });

  it("picks the latest by time, a tie by rank, and the latest part any entry carried", () => {
    const history = foldTimed([
      timed("z", 100, "captured"),
      timed("a", 100, "pending"),
      timed("b", 90, "other"),
    ]);
    const rank = (e: { status?: string }) => (e.status === "captured" ? 1 : 0);

    expect(latestByTime(history, rank)?.eventId).toBe("z");
    expect(latestByTime(history, () => 0)?.eventId).toBe("z");
    expect(latestByTime(history.slice(0, 2), rank)?.eventId).toBe("a");
    expect(latestByTime([], rank)).toBeNull();
    expect(latestPart([...history, timed("c", 101)], "status")).toBe("captured");
  });
});
