/** The run was stopped by SIGTERM or SIGINT: nothing more is fetched or published. Not an account failure. */
export class SyncStopped extends Error {
  constructor() {
    super("stopped by a signal");
    this.name = "SyncStopped";
  }
}

/** Waits `ms`, or rejects with SyncStopped as soon as `signal` aborts (a backoff or the pause between runs). */
export function stoppableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new SyncStopped());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SyncStopped());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
