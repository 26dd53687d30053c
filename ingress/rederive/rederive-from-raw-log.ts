import type { Admin, Kafka, KafkaMessage } from "kafkajs";
import type { RawWebhookDelivery } from "../../contracts/generated/types";
import { ContractSerde } from "../../contracts/serde";
import { topicName } from "../../contracts/topics";
import { createKafka, idempotentProducer } from "../../runtime/kafka-client";
import { kafkaConnectionOf } from "../../runtime/kafka-settings";
import type { Logger } from "../../runtime/logger";
import { schemaRegistryConnectionOf } from "../../runtime/schema-registry-settings";
import { DeliveryPublisher } from "../kafka/delivery-publisher";
import { eventCount, rederive, rederivedTopics, type Rederivation } from "./raw-rederivation";
import type { ReadFrom } from "./rederive-arguments";
import { ProgressReporter, RederiveTally } from "./rederive-progress";
import type { RederiveSettings } from "./rederive-settings";
import { describeRanges, readRanges, ReadPositions, recordsIn, type PartitionRange } from "./read-ranges";

const clientId = "whatsapp-rederive";
/** Deliveries of one partition published at once: the ingress's produce coalescer sends them together. */
const deliveriesInFlight = 64;
/** Longest wait for Kafka's ack of one delivery's events; no caller is waiting, unlike at the ingress. */
const publishTimeoutMs = 30_000;
const progressIntervalMs = 5_000;

export interface RederiveOptions {
  from: ReadFrom;
  reportEvery: number;
}

/**
 * Reads the raw topic from `from` up to its end offsets at start, runs each record through the current
 * parser and publishes the derived events (never the raw record) with their keys and deterministic ids.
 * Resolves with the tally once every record of the ranges is read and its events acknowledged; rejects
 * on the first failure, naming the record.
 */
export async function rederiveFromRawLog(
  settings: RederiveSettings,
  options: RederiveOptions,
  report: (line: string) => void,
  logger: Logger,
): Promise<RederiveTally> {
  const started = Date.now();
  const prefix = settings.TOPIC_PREFIX;
  const rawTopic = topicName("rawWebhook", prefix);
  const kafka = createKafka(clientId, kafkaConnectionOf(settings), logger);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = ["rawWebhook" as const, ...rederivedTopics]
      .map((topic) => topicName(topic, prefix))
      .filter((name) => !existing.has(name));
    if (missing.length > 0)
      throw new Error(
        `topic(s) ${missing.join(", ")} do not exist (TOPIC_PREFIX "${prefix}"); the ingress creates them at start`,
      );

    const ranges = readRanges(
      await admin.fetchTopicOffsets(rawTopic),
      options.from.kind === "time"
        ? await admin.fetchTopicOffsetsByTimestamp(rawTopic, options.from.timestamp)
        : undefined,
    );
    const tally = new RederiveTally(recordsIn(ranges), rederivedTopics);
    const since =
      options.from.kind === "time"
        ? `since ${new Date(options.from.timestamp).toISOString()}`
        : "from the beginning";
    report(`reading ${rawTopic} ${since}: ${tally.total} raw records, offsets ${describeRanges(ranges)}`);
    if (tally.total > 0) {
      const serde = new ContractSerde(schemaRegistryConnectionOf(settings), prefix);
      await serde.register(rederivedTopics);
      const reporter = new ProgressReporter(tally, report, options.reportEvery, progressIntervalMs);
      const group = `${prefix}${clientId}.${started.toString(36)}`;
      await readAndPublish({ kafka, admin, serde, rawTopic, group, ranges, tally, reporter });
    }
    report(tally.summaryLine(Date.now() - started));
    return tally;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The Kafka part: a consumer of a group new for this run, which commits nothing (no one else's position
 * moves) and is deleted at the end, and the ingress's publisher over an idempotent producer, acks=all.
 */
async function readAndPublish(run: {
  kafka: Kafka;
  admin: Admin;
  serde: ContractSerde;
  rawTopic: string;
  group: string;
  ranges: readonly PartitionRange[];
  tally: RederiveTally;
  reporter: ProgressReporter;
}): Promise<void> {
  const { kafka, serde, rawTopic, ranges, tally, reporter } = run;
  const producer = kafka.producer(idempotentProducer);
  const publisher = new DeliveryPublisher(producer, serde, publishTimeoutMs, rederivedTopics);
  const consumer = kafka.consumer({ groupId: run.group, allowAutoTopicCreation: false });
  const positions = new ReadPositions(ranges);

  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // A failure may come before `finished` is awaited; it is thrown there.
  finished.catch(() => undefined);
  let failed = false;
  const fail = (error: unknown) => {
    failed = true;
    settle.reject(error);
  };

  const rederiveRecord = async (partition: number, message: KafkaMessage): Promise<Rederivation> => {
    try {
      const raw = message.value ? await serde.decode<RawWebhookDelivery>(message.value) : null;
      const rederivation = rederive(raw);
      if (rederivation.kind === "derived" && eventCount(rederivation.events) > 0)
        await publisher.publish(rederivation.delivery);
      return rederivation;
    } catch (error) {
      throw new Error(`raw record ${rawTopic}[${partition}]@${message.offset}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };

  const timer = setInterval(() => reporter.poll(), 1000);
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: rawTopic, fromBeginning: true });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) fail(payload.error);
    });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: ranges.length,
      eachBatch: async ({ batch, heartbeat }) => {
        const { partition } = batch;
        if (failed || positions.isDone(partition)) return;
        try {
          const taken = batch.messages.filter((message) => positions.takes(partition, message.offset));
          for (let start = 0; start < taken.length && !failed; start += deliveriesInFlight) {
            const window = taken.slice(start, start + deliveriesInFlight);
            const rederivations = await Promise.all(
              window.map((message) => rederiveRecord(partition, message)),
            );
            for (const rederivation of rederivations) tally.count(rederivation);
            positions.passed(partition, BigInt(window.at(-1)!.offset) + 1n);
            reporter.poll();
            await heartbeat();
          }
          if (batch.messages.length > 0) positions.passed(partition, BigInt(batch.lastOffset()) + 1n);
        } catch (error) {
          fail(error);
          return;
        }
        if (positions.isDone(partition)) consumer.pause([{ topic: rawTopic, partitions: [partition] }]);
        if (positions.allDone()) settle.resolve();
      },
    });
    // A consumer may seek only once it runs; records fetched before the seek took effect are passed over.
    for (const { partition, start, end } of ranges)
      if (start < end) consumer.seek({ topic: rawTopic, partition, offset: String(start) });
    const idle = positions.donePartitions();
    if (idle.length > 0) consumer.pause([{ topic: rawTopic, partitions: idle }]);
    await finished;
  } finally {
    clearInterval(timer);
    await consumer.disconnect().catch(() => undefined);
    await run.admin.deleteGroups([run.group]).catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}
