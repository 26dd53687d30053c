import { EventEmitter } from "node:events";
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "../../runtime/logger";
import { createBatchHandler, type BatchResult, type ReadModelTarget } from "./batch-handler";
import type { Projection } from "./projection";
import type { ProjectorConnections } from "./projector-connections";
import type { ProjectorMetrics } from "./projector-metrics";

/** Records applied (and committed) at a time within one fetched batch. */
const recordsPerSlice = 500;

export interface Slice {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

/** What a runner reports, as named events (the service turns them into lag, stall and readiness). */
export interface RunnerEvents {
  /** The consumer joined its group with these partitions of its topics. */
  joined: [{ assigned: TopicPartition[] }];
  /** A batch was fetched: from its first offset to the high watermark nothing is applied yet. */
  fetched: [{ topic: string; partition: number; highWatermark: string; firstOffset: string }];
  /** A slice was applied and its offset committed. */
  committed: [
    { topic: string; partition: number; highWatermark: string; result: BatchResult; records: number },
  ];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ProjectionRunnerOptions {
  kafka: Kafka;
  topics: readonly string[];
  groupId: string;
  consumer: Omit<ConsumerConfig, "groupId">;
  /** Partitions hold disjoint keys (messages, conversations), so their batches apply side by side. */
  partitionsConsumedConcurrently: number;
  /** Applies one slice and says where to commit (batch-handler). */
  applySlice: (slice: Slice) => Promise<BatchResult>;
  logger: Logger;
}

type RunnerState = "idle" | "consuming" | "restarting" | "stopping" | "stopped";

/**
 * Runs one projection's consumer group, top to bottom: fetch a batch, apply it in slices, commit each
 * slice after its writes and heartbeat, so a slow store never holds the consumer past its session (a
 * rebalance would replay the batch again and again). A batch that fails is retried by kafkajs from the
 * last commit; when kafkajs gives up on a consumer for good, a new one resumes from the last commit.
 */
export class ProjectionRunner extends EventEmitter<RunnerEvents> {
  private state: RunnerState = "idle";
  private consumer: Consumer | null = null;
  private joinedGroup = false;
  /** Slices being applied, and the hold that keeps new ones out while a rebuild swaps collections. */
  private applying = 0;
  private hold: { released: Promise<void>; release: () => void } | null = null;
  private whenIdle: (() => void) | null = null;

  constructor(private readonly options: ProjectionRunnerOptions) {
    super();
  }

  /** Whether the consumer is in its group (readiness). */
  get joined(): boolean {
    return this.joinedGroup;
  }

  async start(): Promise<void> {
    this.state = "consuming";
    await this.consume();
  }

  /** Finishes the slice in hand, commits, leaves the group. */
  async stop(): Promise<void> {
    this.state = "stopping";
    await this.consumer?.disconnect().catch(() => undefined);
    this.state = "stopped";
  }

  /** Stops fetching and resolves once no slice is applying; none starts until `releaseSlices`. */
  async holdSlices(): Promise<void> {
    this.consumer?.pause(this.options.topics.map((topic) => ({ topic })));
    let release!: () => void;
    this.hold = { released: new Promise<void>((resolve) => (release = resolve)), release };
    if (this.applying > 0) await new Promise<void>((resolve) => (this.whenIdle = resolve));
    this.whenIdle = null;
  }

  releaseSlices(): void {
    const hold = this.hold;
    this.hold = null;
    hold?.release();
    this.consumer?.resume(this.options.topics.map((topic) => ({ topic })));
  }

  private async consume(): Promise<void> {
    const { kafka, groupId, topics, logger } = this.options;
    const consumer = kafka.consumer({ groupId, ...this.options.consumer });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joinedGroup = true;
      const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      this.emit("joined", { assigned });
    });
    consumer.on(consumer.events.STOP, () => (this.joinedGroup = false));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joinedGroup = false;
      logger.error({ err: payload.error, restart: payload.restart }, "consumer crashed");
      // kafkajs gives up on some errors for good (a group membership that expired while a batch kept failing).
      if (!payload.restart && this.state === "consuming") void this.restart(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(consumer, payload),
    });
  }

  private async eachBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition, highWatermark } = batch;
    this.emit("fetched", {
      topic,
      partition,
      highWatermark,
      firstOffset: batch.firstOffset() ?? highWatermark,
    });
    for (let start = 0; start < batch.messages.length; start += recordsPerSlice) {
      if (!payload.isRunning() || payload.isStale()) return;
      const messages = batch.messages.slice(start, start + recordsPerSlice);
      const result = await this.applySlice({ topic, partition, messages });
      await consumer.commitOffsets([{ topic, partition, offset: result.nextOffset }]);
      payload.resolveOffset(messages[messages.length - 1]!.offset);
      this.emit("committed", { topic, partition, highWatermark, result, records: messages.length });
      await payload.heartbeat();
    }
  }

  private async applySlice(slice: Slice): Promise<BatchResult> {
    while (this.hold) await this.hold.released;
    this.applying++;
    try {
      return await this.options.applySlice(slice);
    } finally {
      this.applying--;
      if (this.applying === 0) this.whenIdle?.();
    }
  }

  private async restart(crashed: Consumer): Promise<void> {
    this.state = "restarting";
    await crashed.disconnect().catch(() => undefined);
    if (this.state !== "restarting") return;
    // A consumer already replaced: the current one runs on.
    if (this.consumer !== crashed) {
      this.state = "consuming";
      return;
    }
    this.state = "consuming";
    this.options.logger.warn("consumer stopped for good: starting a new one from the last commit");
    await this.consume().catch((error: unknown) => {
      this.options.logger.error(
        { err: error },
        "the new consumer could not start; the next crash tries again",
      );
    });
  }
}

/** A projection's runner over a process's connections: its slices go through the batch handler. */
export function projectionRunner<E>(options: {
  projection: Projection<E>;
  readModels: ReadModelTarget<E>;
  connections: Pick<ProjectorConnections, "kafka" | "serde" | "deadLetterProducer">;
  groupId: string;
  consumer: ProjectionRunnerOptions["consumer"];
  partitionsConsumedConcurrently: number;
  metrics: ProjectorMetrics;
  logger: Logger;
}): ProjectionRunner {
  const { projection, connections, groupId, logger } = options;
  return new ProjectionRunner({
    kafka: connections.kafka,
    topics: projection.topics.map((topic) => connections.serde.topic(topic)),
    groupId,
    consumer: options.consumer,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    applySlice: createBatchHandler({
      projection,
      readModels: options.readModels,
      serde: connections.serde,
      deadLetterProducer: connections.deadLetterProducer,
      consumerGroup: groupId,
      metrics: options.metrics,
      logger,
    }),
    logger,
  });
}
