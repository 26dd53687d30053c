import type { Producer, TopicMessages } from "kafkajs";

interface Waiting {
  topicMessages: TopicMessages[];
  bytes: number;
  records: number;
  /** The caller stopped waiting (it answered 503): not worth sending any more. */
  abandoned: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface CoalescedSend {
  /** Resolves once Kafka acknowledged (acks=all) every record of this send. */
  acknowledged: Promise<void>;
  /** The caller gave up: drop the records if they have not been sent yet. */
  abandon(): void;
}

/**
 * One produce request in flight at a time (the idempotent producer's order guarantee), carrying every
 * delivery that arrived while the previous one was in flight, as Kafka's own producer batches during
 * its linger. Each caller is answered when the request holding its records is acknowledged. When a
 * coalesced request fails, its deliveries are sent again one by one, so one bad delivery cannot fail
 * the others.
 */
export class ProduceCoalescer {
  private readonly waiting: Waiting[] = [];
  private sending = false;
  private unacknowledgedBytes = 0;

  constructor(
    private readonly producer: Producer,
    private readonly maxRequestBytes: number,
    /** kafkajs builds a request in time that grows faster than its record count: keep requests small. */
    private readonly maxRequestRecords: number,
  ) {}

  send(topicMessages: TopicMessages[]): CoalescedSend {
    let bytes = 0;
    let records = 0;
    for (const { messages } of topicMessages) {
      records += messages.length;
      for (const message of messages) bytes += (message.value as Buffer | null)?.length ?? 0;
    }
    const entry = { topicMessages, bytes, records, abandoned: false } as Waiting;
    this.unacknowledgedBytes += bytes;
    const acknowledged = new Promise<void>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    // Acknowledged, refused or dropped, its records leave the backlog; and a refusal nobody waits for
    // any more (the caller's deadline passed) is not unhandled.
    const settled = () => void (this.unacknowledgedBytes -= bytes);
    acknowledged.then(settled, settled);
    this.waiting.push(entry);
    void this.drain();
    return { acknowledged, abandon: () => this.abandon(entry) };
  }

  /**
   * The produce backlog: value bytes of the records handed to `send` and not yet acknowledged or refused
   * (waiting for a request, or in the request in flight); a delivery abandoned before it was sent leaves
   * it at once.
   */
  get backlogBytes(): number {
    return this.unacknowledgedBytes;
  }

  /** Drops a delivery not yet taken into a request at once, so its records leave memory with the 503. */
  private abandon(entry: Waiting): void {
    entry.abandoned = true;
    const position = this.waiting.indexOf(entry);
    if (position >= 0) {
      this.waiting.splice(position, 1);
      dropIfAbandoned(entry);
    }
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.takeBatch();
        if (batch.length === 0) continue;
        try {
          await this.producer.sendBatch({ acks: -1, topicMessages: mergeByTopic(batch) });
          for (const entry of batch) entry.resolve();
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          else await this.sendOneByOne(batch);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** The waiting deliveries still wanted, up to maxRequestBytes and maxRequestRecords (always at least one). */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    let bytes = 0;
    let records = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (dropIfAbandoned(next)) {
        this.waiting.shift();
        continue;
      }
      const full =
        bytes + next.bytes > this.maxRequestBytes || records + next.records > this.maxRequestRecords;
      if (batch.length > 0 && full) break;
      batch.push(this.waiting.shift()!);
      bytes += next.bytes;
      records += next.records;
    }
    return batch;
  }

  private async sendOneByOne(batch: Waiting[]): Promise<void> {
    for (const entry of batch) {
      if (dropIfAbandoned(entry)) continue;
      try {
        await this.producer.sendBatch({ acks: -1, topicMessages: entry.topicMessages });
        entry.resolve();
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}

/** Refuses a delivery its caller no longer waits for, so it is never sent. */
function dropIfAbandoned(entry: Waiting): boolean {
  if (entry.abandoned) entry.reject(new Error("abandoned before it was sent"));
  return entry.abandoned;
}

function mergeByTopic(batch: readonly Waiting[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages["messages"]>();
  for (const { topicMessages } of batch)
    for (const { topic, messages } of topicMessages) {
      const merged = byTopic.get(topic);
      if (merged) merged.push(...messages);
      else byTopic.set(topic, [...messages]);
    }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
