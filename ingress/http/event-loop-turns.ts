/**
 * Lets waiting callers go one per turn of the event loop, in arrival order. A delivery's parsing and
 * encoding run synchronously; without this, every body that arrived in one poll of the sockets is
 * handled in the same turn, and a turn of a hundred milliseconds is common under load. libuv accepts at
 * most one new connection per turn, so under a burst of new connections long turns fill the kernel's
 * listen queue, and its overflow reaches clients as resets or as requests never answered.
 */
export class EventLoopTurns {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** Resolves on a turn of its own, after every caller that asked before. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // An immediate set from an immediate runs on the next turn: one caller each.
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()?.();
      if (this.waiting.length > 0) this.schedule();
    });
  }
}
