import { topicContracts, type TopicId } from "../../contracts/topics";
import { eventCount, type Rederivation, type SkipReason } from "./raw-rederivation";

const skipNames: Record<SkipReason, string> = { notJson: "not JSON", empty: "empty" };

/** What the command has done so far: raw records read, events published by topic, records skipped. */
export class RederiveTally {
  read = 0;
  readonly published: Map<TopicId, number>;
  readonly skipped: Record<SkipReason, number> = { notJson: 0, empty: 0 };
  /** Deliveries that now give more events than their raw record counts: what an older parser missed. */
  gainedEvents = 0;

  constructor(
    /** Raw records between the start and end offsets. */
    readonly total: number,
    topics: readonly TopicId[],
  ) {
    this.published = new Map(topics.map((topic) => [topic, 0]));
  }

  /** Counts one raw record once its events (if any) are acknowledged. */
  count(rederivation: Rederivation): void {
    this.read++;
    if (rederivation.kind === "skipped") {
      this.skipped[rederivation.reason]++;
      return;
    }
    for (const [topic, events] of rederivation.events)
      this.published.set(topic, (this.published.get(topic) ?? 0) + events);
    if (eventCount(rederivation.events) > rederivation.eventsAtReceipt) this.gainedEvents++;
  }

  /** `read 120/500 raw records (24.0%); published status 30, inbound 90, business 2; skipped 1 not JSON, 0 empty` */
  progressLine(): string {
    const share = this.total === 0 ? 100 : (this.read * 100) / this.total;
    return `read ${this.read}/${this.total} raw records (${share.toFixed(1)}%); ${this.publishedText()}; ${this.skippedText()}`;
  }

  summaryLine(elapsedMs: number): string {
    const events = eventCount(this.published);
    return (
      `done in ${(elapsedMs / 1000).toFixed(1)} s: read ${this.read}/${this.total} raw records; ` +
      `${this.publishedText()} (${events} events); ${this.skippedText()}; ` +
      `${this.gainedEvents} deliveries gave more events than their raw record counts`
    );
  }

  private publishedText(): string {
    const byTopic = [...this.published].map(
      ([topic, count]) => `${topicContracts[topic].metricLabel} ${count}`,
    );
    return `published ${byTopic.join(", ")}`;
  }

  private skippedText(): string {
    const total = this.skipped.notJson + this.skipped.empty;
    return `skipped ${total} (${(Object.keys(skipNames) as SkipReason[])
      .map((reason) => `${this.skipped[reason]} ${skipNames[reason]}`)
      .join(", ")})`;
  }
}

/** Prints the tally's progress line every `every` records read, and every `intervalMs` when reads are slow. */
export class ProgressReporter {
  private lastAt: number;
  private lastRead = 0;

  constructor(
    private readonly tally: RederiveTally,
    private readonly report: (line: string) => void,
    private readonly every: number,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastAt = now();
  }

  /** Reports when a line is due; call it after each step of work and from a timer. */
  poll(): void {
    if (this.tally.read - this.lastRead < this.every && this.now() - this.lastAt < this.intervalMs) return;
    this.report(this.tally.progressLine());
    this.lastAt = this.now();
    this.lastRead = this.tally.read;
  }
}
