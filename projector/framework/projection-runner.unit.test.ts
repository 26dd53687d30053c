import { EventEmitter } from "node:events";
import type { EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import { createLogger } from "../../runtime/logger";
import type { BatchResult } from "./batch-handler";
import { ProjectionRunner, type Slice } from "./projection-runner";

/** A kafkajs consumer that records what the runner asks of it; the test plays the broker. */
function fakeKafka(log: string[]) {
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const events = new EventEmitter();
  const consumer = {
    events: { GROUP_JOIN: "join", STOP: "stop", CRASH: "crash" },
    on: (event: string, listener: (...args: unknown[]) => void) => events.on(event, listener),
    connect: async () => void log.push("connect"),
    subscribe: async () => void log.push("subscribe"),
    run: async (options: { eachBatch: typeof eachBatch }) => void (eachBatch = options.eachBatch),
    commitOffsets: async (offsets: { offset: string }[]) => void log.push(`commit ${offsets[0]!.offset}`),
    disconnect: async () => void log.push("disconnect"),
    pause: () => void log.push("pause"),
    resume: () => void log.push("resume"),
  };
  return {
    kafka: { consumer: () => consumer } as unknown as Kafka,
    batch: (messages: number, options: { staleAfter?: number } = {}) => {
      let heartbeats = 0;
      const payload = {
        batch: {
          topic: "t",
          partition: 0,
          highWatermark: String(messages),
          firstOffset: () => "0",
          messages: Array.from({ length: messages }, (_, i) => ({ offset: String(i) }) as KafkaMessage),
        },
        isRunning: () => true,
        isStale: () => options.staleAfter !== undefined && heartbeats >= options.staleAfter,
        resolveOffset: (offset: string) => void log.push(`resolve ${offset}`),
        heartbeat: async () => void (heartbeats++, log.push("heartbeat")),
      } as unknown as EachBatchPayload;
      return eachBatch!(payload);
    },
  };
}

function runnerWith(log: string[], applySlice?: (slice: Slice) => Promise<BatchResult>) {
  const broker = fakeKafka(log);
  const runner = new ProjectionRunner({
    kafka: broker.kafka,
    topics: ["t"],
    groupId: "g",
    consumer: {},
    partitionsConsumedConcurrently: 1,
    applySlice:
      applySlice ??
      (async (slice) => {
        log.push(`apply ${slice.messages[0]!.offset}-${slice.messages.at(-1)!.offset}`);
        const next = String(Number(slice.messages.at(-1)!.offset) + 1);
        return {
          applied: slice.messages.length,
          duplicates: 0,
          skipped: 0,
          deadLettered: 0,
          nextOffset: next,
        };
      }),
    logger: createLogger("test", "silent"),
  });
  return { runner, broker };
}

it("applies a fetched batch in slices of 500, committing each after its writes and before the next", async () => {
  const log: string[] = [];
  const { runner, broker } = runnerWith(log);
  const committed: number[] = [];
  runner.on("committed", ({ records }) => committed.push(records));
  await runner.start();
  log.length = 0;

  await broker.batch(1200);

  expect(log).toEqual([
    "apply 0-499",
    "commit 500",
    "resolve 499",
    "heartbeat",
    "apply 500-999",
    "commit 1000",
    "resolve 999",
    "heartbeat",
    "apply 1000-1199",
    "commit 1200",
    "resolve 1199",
    "heartbeat",
  ]);
  expect(committed).toEqual([500, 500, 200]);
});

it("commits nothing of a slice whose apply fails, and stops the batch there", async () => {
  const log: string[] = [];
  let calls = 0;
  const { runner, broker } = runnerWith(log, async (slice) => {
    if (++calls === 2) throw new Error("store away");
    return {
      applied: 0,
      duplicates: 0,
      skipped: 0,
      deadLettered: 0,
      nextOffset: String(slice.messages.length),
    };
  });
  await runner.start();
  log.length = 0;
  await expect(broker.batch(1200)).rejects.toThrow("store away");
  expect(log.filter((line) => line.startsWith("commit"))).toEqual(["commit 500"]);
});

it("stops at a rebalance: no slice of a stale batch is applied", async () => {
  const log: string[] = [];
  const { runner, broker } = runnerWith(log);
  await runner.start();
  log.length = 0;
  await broker.batch(1200, { staleAfter: 1 });
  expect(log.filter((line) => line.startsWith("apply"))).toEqual(["apply 0-499"]);
});

it("holds new slices while a rebuild swaps collections, and lets them in once released", async () => {
  const log: string[] = [];
  const { runner, broker } = runnerWith(log);
  await runner.start();
  await runner.holdSlices();
  log.length = 0;
  const applying = broker.batch(10);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(log).toEqual([]);
  runner.releaseSlices();
  await applying;
  expect(log).toEqual(["resume", "apply 0-9", "commit 10", "resolve 9", "heartbeat"]);
});
