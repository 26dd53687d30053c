import { EventLoopTurns } from "./event-loop-turns";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

it("lets callers go one per turn of the event loop, in the order they asked", async () => {
  const turns = new EventLoopTurns();
  const released: string[] = [];
  for (const caller of ["a", "b", "c"]) void turns.next().then(() => released.push(caller));
  expect(released).toEqual([]);
  await nextTurn();
  expect(released).toEqual(["a"]);
  await nextTurn();
  expect(released).toEqual(["a", "b"]);
  await nextTurn();
  expect(released).toEqual(["a", "b", "c"]);
});

it("lets a caller that comes once the others are gone go on the next turn", async () => {
  const turns = new EventLoopTurns();
  await turns.next();
  const released: string[] = [];
  void turns.next().then(() => released.push("late"));
  await nextTurn();
  expect(released).toEqual(["late"]);
});

it("tells how long the caller first in line has waited, 0 when none waits", async () => {
  const turns = new EventLoopTurns();
  expect(turns.oldestWaitMs()).toBe(0);
  const first = turns.next();
  const asked = performance.now();
  while (performance.now() - asked < 20);
  void turns.next();
  const at = performance.now() + 100;
  const whileFirstWaits = turns.oldestWaitMs(at);
  expect(whileFirstWaits).toBeGreaterThanOrEqual(120);
  await first;
  // The second caller, 20 ms younger, is first in line now.
  expect(turns.oldestWaitMs(at)).toBeLessThanOrEqual(whileFirstWaits - 20);
  await nextTurn();
  expect(turns.oldestWaitMs()).toBe(0);
});
