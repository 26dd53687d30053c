import type { TopicId } from "../../contracts/topics";
import type { ParsedDelivery } from "../domain/delivery-parser";
import type { Rederivation } from "./raw-rederivation";
import { ProgressReporter, RederiveTally } from "./rederive-progress";

const topics: TopicId[] = ["messageStatus", "inboundMessage", "businessEvent"];
const derived = (events: Partial<Record<TopicId, number>>, eventsAtReceipt: number): Rederivation => ({
  kind: "derived",
  delivery: {} as ParsedDelivery,
  events: new Map(topics.map((topic) => [topic, events[topic] ?? 0])),
  eventsAtReceipt,
});

describe("RederiveTally", () => {
  it("counts records read, events published by topic, records skipped and deliveries that gained events", () => {
    const tally = new RederiveTally(8, topics);
    tally.count(derived({ messageStatus: 2 }, 2));
    tally.count(derived({ inboundMessage: 1 }, 0));
    tally.count(derived({ inboundMessage: 1, businessEvent: 1 }, 1));
    tally.count({ kind: "skipped", reason: "notJson" });
    tally.count({ kind: "skipped", reason: "empty" });
    expect(tally.progressLine()).toBe(
      "read 5/8 raw records (62.5%); published status 2, inbound 2, business 1; skipped 2 (1 not JSON, 1 empty)",
    );
    expect(tally.summaryLine(12_345)).toBe(
      "done in 12.3 s: read 5/8 raw records; published status 2, inbound 2, business 1 (5 events); " +
        "skipped 2 (1 not JSON, 1 empty); 2 deliveries gave more events than their raw record counts",
    );
  });

  it("says 100% of nothing", () => {
    expect(new RederiveTally(0, topics).progressLine()).toMatch(/^read 0\/0 raw records \(100\.0%\)/);
  });
});

describe("ProgressReporter", () => {
  it("reports every N records, and after the interval when records come slowly", () => {
    const tally = new RederiveTally(100, topics);
    const lines: string[] = [];
    let now = 0;
    const reporter = new ProgressReporter(
      tally,
      (line) => lines.push(line),
      3,
      5000,
      () => now,
    );
    const read = (records: number) => {
      for (let i = 0; i < records; i++) tally.count(derived({}, 0));
      reporter.poll();
    };
    read(2);
    expect(lines).toHaveLength(0);
    read(1);
    expect(lines).toEqual([expect.stringMatching(/^read 3\/100 /)]);
    read(1);
    now = 4999;
    reporter.poll();
    expect(lines).toHaveLength(1);
    now = 5000;
    reporter.poll();
    expect(lines).toEqual([expect.stringMatching(/^read 3\/100 /), expect.stringMatching(/^read 4\/100 /)]);
  });
});
