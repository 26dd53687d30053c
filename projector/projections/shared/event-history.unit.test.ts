import { permutations } from "../../../tests/support/orders";
import { withEvent, type HistoryEntry } from "./event-history";

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
