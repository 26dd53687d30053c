/**
 * Each partition's lag (partitions named by the caller, e.g. `<topic>/<partition>`) and when it last made progress, as this projector sees them: the lag is known
 * from the moment a batch is fetched (so it tells the truth while a batch keeps failing), and a
 * partition that has lag but committed nothing for `stallAfterMs` is stalled.
 */
export class PartitionProgress {
  private readonly partitions = new Map<string, { lag: number; lastProgressAt: number }>();

  constructor(
    private readonly stallAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A batch was fetched: the records from its first offset to the high watermark are not applied yet. */
  fetched(partition: string, highWatermark: string, firstOffset: string): number {
    const entry = this.partitions.get(partition) ?? { lag: 0, lastProgressAt: this.now() };
    // A partition that had nothing to do waited for work, not for progress.
    if (entry.lag === 0) entry.lastProgressAt = this.now();
    entry.lag = Math.max(0, Number(BigInt(highWatermark) - BigInt(firstOffset)));
    this.partitions.set(partition, entry);
    return entry.lag;
  }

  /** A slice was applied and committed up to `nextOffset`. */
  committed(partition: string, highWatermark: string, nextOffset: string): number {
    const lag = Math.max(0, Number(BigInt(highWatermark) - BigInt(nextOffset)));
    this.partitions.set(partition, { lag, lastProgressAt: this.now() });
    return lag;
  }

  /** Partitions with lag and no commit for longer than the stall time, in order. */
  stalled(): string[] {
    const now = this.now();
    return [...this.partitions]
      .filter(([, { lag, lastProgressAt }]) => lag > 0 && now - lastProgressAt > this.stallAfterMs)
      .map(([partition]) => partition)
      .sort();
  }

  /** After a rebalance: partitions no longer assigned are forgotten; returns the ones forgotten. */
  retain(assigned: readonly string[]): string[] {
    const keep = new Set(assigned);
    const forgotten = [...this.partitions.keys()].filter((partition) => !keep.has(partition));
    for (const partition of forgotten) this.partitions.delete(partition);
    return forgotten;
  }

  known(): string[] {
    return [...this.partitions.keys()].sort();
  }
}
