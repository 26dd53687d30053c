/** Least time a turn gives the callers it lets go, ms: at least one goes per turn whatever it costs. */
const minimumWorkMs = 5;

/**
 * Lets waiting callers go in arrival order, so many per turn of the event loop that their synchronous
 * work takes about as long as the rest of the turn (and at least 5 ms): the turns stay short while only
 * deliveries are busy, and deliveries keep half of a turn that other work makes long. A delivery's
 * parsing and encoding run synchronously; without this, every body that arrived in one poll of the
 * sockets is handled in the same turn, and a turn of a hundred milliseconds is common under load. libuv
 * accepts at most one new connection per listening socket and turn, so under a burst of new connections
 * long turns fill the kernel's listen queue, whose overflow reaches clients as resets or as requests
 * never answered.
 */
export class EventLoopTurns {
  private readonly waiting: { go: () => void; since: number }[] = [];
  private scheduled = false;
  private perTurn = 1;
  /** When the last turn's callers were done; undefined while none waited. */
  private lastDone: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Resolves on a later turn, after every caller that asked before. */
  next(): Promise<void> {
    return new Promise((go) => {
      this.waiting.push({ go, since: this.now() });
      this.schedule();
    });
  }

  /** How long the caller first in line has waited, ms (0 when none waits): how far the process is behind. */
  oldestWaitMs(now = this.now()): number {
    const first = this.waiting[0];
    return first ? now - first.since : 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Two immediates of the same turn: the callers' synchronous work runs as microtasks between them.
    let started = 0;
    let released = 0;
    setImmediate(() => {
      started = this.now();
      const batch = this.waiting.splice(0, this.perTurn);
      released = batch.length;
      for (const { go } of batch) go();
    });
    setImmediate(() => {
      const done = this.now();
      const rest = this.lastDone === undefined ? 0 : started - this.lastDone;
      const perCaller = (done - started) / released;
      // Fewer at once when the callers' work grows; more, at most twice as many, when it shrinks.
      if (perCaller > 0)
        this.perTurn = Math.max(
          1,
          Math.min(2 * this.perTurn, Math.floor(Math.max(minimumWorkMs, rest) / perCaller)),
        );
      this.scheduled = false;
      this.lastDone = this.waiting.length > 0 ? done : undefined;
      if (this.waiting.length > 0) this.schedule();
    });
  }
}
