import { EventLoopTurns } from "./event-loop-turns";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock the test moves: each caller let go "works" `workMs` (moves it on when it goes), and every turn
 * before the callers go, other work takes `otherMs`. Returns how many callers went in each turn.
 */
async function callersPerTurn(callers: number, workMs: number, otherMs: number): Promise<number[]> {
  let clock = 0;
  const turns = new EventLoopTurns(() => clock);
  let released = 0;
  for (let caller = 0; caller < callers; caller++)
    void turns.next().then(() => {
      clock += workMs;
      released++;
    });
  const perTurn: number[] = [];
  let before = 0;
  while (released < callers) {
    clock += otherMs;
    await nextTurn();
    perTurn.push(released - before);
    before = released;
  }
  return perTurn;
}

it("lets callers go in the order they asked, one on the first turn", async () => {
  const turns = new EventLoopTurns();
  const released: string[] = [];
  for (const caller of ["a", "b", "c"]) void turns.next().then(() => released.push(caller));
  expect(released).toEqual([]);
  await nextTurn();
  expect(released).toEqual(["a"]);
  while (released.length < 3) await nextTurn();
  expect(released).toEqual(["a", "b", "c"]);
});

it("lets as many go per turn as take 5 ms of work, when nothing else takes the turn", async () => {
  // 2 ms each: two per turn after the first.
  expect(await callersPerTurn(12, 2, 0)).toEqual([1, 2, 2, 2, 2, 2, 1]);
  // 6 ms each: one per turn.
  expect(await callersPerTurn(3, 6, 0)).toEqual([1, 1, 1]);
});

it("gives the callers as much of a turn as its other work takes, growing at most twofold a turn", async () => {
  // 20 ms of other work a turn, 2 ms each: 1, 2, 4, 8, then the 10 that fit 20 ms.
  expect(await callersPerTurn(45, 2, 20)).toEqual([1, 2, 4, 8, 10, 10, 10]);
});

it("lets a caller that comes once the others are gone go on a later turn", async () => {
  const turns = new EventLoopTurns();
  await turns.next();
  const released: string[] = [];
  void turns.next().then(() => released.push("late"));
  expect(released).toEqual([]);
  // The turn that let the first go ends first; the late one goes on the turn after.
  await nextTurn();
  await nextTurn();
  expect(released).toEqual(["late"]);
});

it("tells how long the caller first in line has waited, 0 when none waits", async () => {
  let clock = 1000;
  const turns = new EventLoopTurns(() => clock);
  expect(turns.oldestWaitMs()).toBe(0);
  const first = turns.next();
  clock += 20;
  void turns.next();
  clock += 100;
  expect(turns.oldestWaitMs()).toBe(120);
  await first;
  // The second caller, 20 ms younger, is first in line now.
  expect(turns.oldestWaitMs()).toBe(100);
  while (turns.oldestWaitMs() > 0) await nextTurn();
});
