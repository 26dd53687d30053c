/** The offsets of one partition of the raw topic to read: from `start` up to, not including, `end`. */
export interface PartitionRange {
  partition: number;
  start: bigint;
  end: bigint;
}

/** A partition's offsets as kafkajs's admin.fetchTopicOffsets gives them. */
export interface PartitionWatermarks {
  partition: number;
  low: string;
  high: string;
}

/** The first offset at or after a time, as kafkajs's admin.fetchTopicOffsetsByTimestamp gives it. */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

/**
 * What to read of each partition: from its first kept record (`startsAtTime` absent) or from the first
 * record written at or after the time, up to the end offsets taken at start, so that the read ends
 * while live traffic goes on. Starts are kept within [low, end]: an offset looked up later than the
 * watermarks may lie past them, and records before `low` are no longer kept.
 */
export function readRanges(
  watermarks: readonly PartitionWatermarks[],
  startsAtTime?: readonly PartitionOffset[],
): PartitionRange[] {
  const atTime = new Map(startsAtTime?.map(({ partition, offset }) => [partition, BigInt(offset)]));
  return watermarks
    .map(({ partition, low, high }) => {
      const [first, end] = [BigInt(low), BigInt(high)];
      const wanted = startsAtTime ? (atTime.get(partition) ?? end) : first;
      const start = wanted < first ? first : wanted > end ? end : wanted;
      return { partition, start, end };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** Raw records the ranges hold. */
export function recordsIn(ranges: readonly PartitionRange[]): number {
  return Number(ranges.reduce((sum, { start, end }) => sum + (end - start), 0n));
}

/** `0:12-40 1:0-0 2:7-9`: each partition's start and end offsets, for the command's report. */
export function describeRanges(ranges: readonly PartitionRange[]): string {
  return (
    ranges.map(({ partition, start, end }) => `${partition}:${start}-${end}`).join(" ") || "(no partition)"
  );
}

/**
 * Where the read stands in each partition. A record is taken once, and only within its range: a fetch
 * made before the consumer's seek took effect, or one repeated after a consumer restart, brings records
 * outside it or already taken.
 */
export class ReadPositions {
  private readonly next = new Map<number, bigint>();
  private readonly ends = new Map<number, bigint>();

  constructor(ranges: readonly PartitionRange[]) {
    for (const { partition, start, end } of ranges) {
      this.next.set(partition, start);
      this.ends.set(partition, end);
    }
  }

  /** Whether the record at `offset` is still to be taken. */
  takes(partition: number, offset: string | bigint): boolean {
    const next = this.next.get(partition);
    const end = this.ends.get(partition);
    if (next === undefined || end === undefined) return false;
    const at = BigInt(offset);
    return at >= next && at < end;
  }

  /** Every record before `offset` has been taken (or lies before the range). */
  passed(partition: number, offset: string | bigint): void {
    const at = BigInt(offset);
    if (at > (this.next.get(partition) ?? at)) this.next.set(partition, at);
  }

  isDone(partition: number): boolean {
    const next = this.next.get(partition);
    const end = this.ends.get(partition);
    return next === undefined || end === undefined || next >= end;
  }

  allDone(): boolean {
    return [...this.ends.keys()].every((partition) => this.isDone(partition));
  }

  /** Partitions with nothing left to read. */
  donePartitions(): number[] {
    return [...this.ends.keys()].filter((partition) => this.isDone(partition));
  }
}
