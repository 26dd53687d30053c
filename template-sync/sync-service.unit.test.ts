import type { RunResult } from "./sync-run";
import { runSyncService, type SyncServiceOptions } from "./sync-service";
import { SyncStopped, stoppableSleep } from "./sync-stop";

const synced: RunResult = { results: [{ wabaId: "1", ok: true, templates: 1, pages: 1 }], allSynced: true };

/** The service over a script of runs (a result, or an error thrown) and pauses (undefined, or an error). */
function service(everyMs: number | null, runs: (RunResult | Error)[], pauses: (Error | undefined)[] = []) {
  const lines: string[] = [];
  let runCount = 0;
  const options: SyncServiceOptions = {
    everyMs,
    everyText: "1s",
    runOnce: async () => {
      runCount++;
      const run = runs.shift();
      if (run === undefined) throw new Error("no more runs in the script");
      if (run instanceof Error) throw run;
      return run;
    },
    sleep: async () => {
      const pause = pauses.shift();
      if (pause) throw pause;
    },
    out: (line) => void lines.push(`out: ${line}`),
    err: (line) => void lines.push(`err: ${line}`),
  };
  return { run: () => runSyncService(options), lines, runs: () => runCount };
}

it("one-shot: a signal during the run is a run that did not complete, exit 1", async () => {
  const once = service(null, [new SyncStopped()]);
  expect(await once.run()).toBe(1);
  expect(once.lines).toEqual(["err: stopped by a signal during a run: the run did not complete"]);
});

it("one-shot: 0 when every account synced; another error propagates", async () => {
  expect(await service(null, [synced]).run()).toBe(0);
  await expect(service(null, [new Error("Kafka is down")]).run()).rejects.toThrow("Kafka is down");
});

it("periodic: a run's error is logged and the next run still comes; a signal ends it with 0", async () => {
  const periodic = service(
    1_000,
    [new Error("connection refused: MongoDB"), synced],
    [undefined, new SyncStopped()],
  );
  expect(await periodic.run()).toBe(0);
  expect(periodic.runs()).toBe(2);
  expect(periodic.lines).toEqual([
    "err: run failed: connection refused: MongoDB",
    "out: next run in 1s",
    "out: account 1: synced, 1 templates in 1 pages",
    "out: every account synced (1)",
    "out: next run in 1s",
  ]);
});

it("periodic: a signal during a run ends it with 0, without another run", async () => {
  const periodic = service(1_000, [new SyncStopped(), synced]);
  expect(await periodic.run()).toBe(0);
  expect(periodic.runs()).toBe(1);
});

it("stops a sleep as soon as the signal aborts, and refuses to start one after", async () => {
  const controller = new AbortController();
  const started = Date.now();
  const sleeping = stoppableSleep(60_000, controller.signal);
  controller.abort();
  await expect(sleeping).rejects.toBeInstanceOf(SyncStopped);
  expect(Date.now() - started).toBeLessThan(1_000);
  await expect(stoppableSleep(1, controller.signal)).rejects.toBeInstanceOf(SyncStopped);
});
