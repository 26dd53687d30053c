/**
 * Lets waiting callers go one per turn of the event loop, in arrival order. A delivery's parsing and
 * encoding run synchronously; without this, every body that arrived in one poll of the sockets is
 * handled in the same turn, and a turn of a hundred milliseconds is common under load. libuv accepts at
 * most one new connection per turn, so under a burst of new connections long turns fill the kernel's
 * listen queue, and its overflow reaches clients as resets or as requests never answered.
 */
export class EventLoopTurns {
  private readonly waiting: { go: () => void; since: number }[] = [];
  private scheduled = false;

  /** Resolves on a turn of its own, after every caller that asked before. */
  next(): Promise<void> {
    return new Promise((go) => {
      this.waiting.push({ go, since: performance.now() });
      this.schedule();
    });
  }

  /** How long the caller first in line has waited, ms (0 when none waits): how far the process is behind. */
  oldestWaitMs(now = performance.now()): number {
    const first = this.waiting[0];
    return first ? now - first.since : 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // An immediate set from an immediate runs on the next turn: one caller each.
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()?.go();
      if (this.waiting.length > 0) this.schedule();
    });
  }
}
