import { SyncStopped } from "./sync-stop";
import { runSummary, type RunResult } from "./sync-run";

export interface SyncServiceOptions {
  /** Null: one run (a CronJob); else the pause between runs (a service). */
  everyMs: number | null;
  /** `--every` as written, for messages. */
  everyText: string;
  runOnce(): Promise<RunResult>;
  /** Rejects with SyncStopped when a signal came. */
  sleep(ms: number): Promise<void>;
  out(line: string): void;
  err(line: string): void;
}

/**
 * Runs the sync once, or every `everyMs` until a signal, and answers the exit code. One-shot: 0 when every
 * account synced, 1 when one did not or a signal stopped the run (it did not complete); another error
 * propagates. Periodic: a run's error (Kafka, MongoDB) is logged and the next run still comes; a signal,
 * during a run or between runs, ends the service with 0.
 */
export async function runSyncService(options: SyncServiceOptions): Promise<number> {
  const periodic = options.everyMs !== null;
  for (;;) {
    try {
      const result = await options.runOnce();
      for (const line of runSummary(result)) (result.allSynced ? options.out : options.err)(line);
      if (!periodic) return result.allSynced ? 0 : 1;
    } catch (error) {
      if (error instanceof SyncStopped) {
        options.err("stopped by a signal during a run: the run did not complete");
        return periodic ? 0 : 1;
      }
      if (!periodic) throw error;
      options.err(`run failed: ${(error as Error).message}`);
    }
    options.out(`next run in ${options.everyText}`);
    try {
      await options.sleep(options.everyMs!);
    } catch (error) {
      if (error instanceof SyncStopped) return 0;
      throw error;
    }
  }
}
