import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type TextMapGetter,
} from "@opentelemetry/api";
import type { Batch, IHeaders, KafkaMessage, Producer } from "kafkajs";
import type { Db } from "mongodb";
import type { DeadLetter } from "../../contracts/generated/types";
import type { ContractSerde } from "../../contracts/serde";
import type { Logger } from "../../runtime/logger";
import type { ProjectorMetrics } from "./projector-metrics";
import type { BatchOutcome, Projection } from "./projection";

const headerGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

export interface BatchHandlerDependencies<E> {
  projection: Projection<E>;
  db: Db;
  /** Read-model collection names in use; the rebuild switches them while running. */
  collections: () => Record<string, string>;
  serde: ContractSerde;
  deadLetterProducer: Producer;
  consumerGroup: string;
  metrics: ProjectorMetrics;
  logger: Logger;
}

export interface BatchResult extends BatchOutcome {
  deadLettered: number;
  /** The offset to commit: one past the batch's last record. */
  nextOffset: string;
}

/**
 * Handles one Kafka batch: decode every record through the registry, dead-letter the ones that cannot
 * be decoded or applied (with the reason and original bytes), apply the rest with one bulk write, and
 * continue each record's trace from its headers through the MongoDB write. The caller commits
 * `nextOffset` only after this resolves, so a crash in between re-applies harmlessly.
 */
export function createBatchHandler<E>(deps: BatchHandlerDependencies<E>) {
  const tracer = trace.getTracer(deps.projection.serviceName);
  const { projection, metrics } = deps;

  return async function handleBatch(
    batch: Pick<Batch, "topic" | "partition" | "messages">,
  ): Promise<BatchResult> {
    const stopTimer = metrics.batchSeconds.startTimer();
    const valid: { event: E; span: Span }[] = [];
    const dead: { message: KafkaMessage; reason: string }[] = [];

    for (const message of batch.messages) {
      const parent = propagation.extract(ROOT_CONTEXT, message.headers ?? {}, headerGetter);
      const span = tracer.startSpan(
        `process ${batch.topic}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": batch.topic,
            "messaging.destination.partition.id": String(batch.partition),
            "messaging.kafka.offset": message.offset,
            "messaging.kafka.message.key": message.key?.toString() ?? "",
            "messaging.consumer.group.name": deps.consumerGroup,
          },
        },
        parent,
      );
      if (!message.value) {
        dead.push({ message, reason: "empty value (tombstone): nothing to apply" });
        span.end();
        continue;
      }
      let decoded: unknown;
      try {
        decoded = await deps.serde.decode(message.value);
      } catch (error) {
        dead.push({ message, reason: `undecodable: ${(error as Error).message}` });
        span.setStatus({ code: SpanStatusCode.ERROR, message: "undecodable" });
        span.end();
        continue;
      }
      const checked = projection.validate(decoded);
      if (typeof checked === "string") {
        dead.push({ message, reason: `not applicable: ${checked}` });
        span.setStatus({ code: SpanStatusCode.ERROR, message: "not applicable" });
        span.end();
        continue;
      }
      valid.push({ event: checked, span });
    }

    if (dead.length > 0) await publishDeadLetters(deps, batch, dead);

    const collections = deps.collections();
    const writeStarted = Date.now();
    let outcome: BatchOutcome = { applied: 0, duplicates: 0 };
    try {
      if (valid.length > 0) {
        outcome = await context.with(trace.setSpan(context.active(), valid[0]!.span), () =>
          projection.apply(
            deps.db,
            collections,
            valid.map((v) => v.event),
          ),
        );
      }
    } catch (error) {
      for (const { span } of valid) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
      throw error;
    }
    const writeEnded = Date.now();
    // One bulk write serves the whole batch; each record's trace shows it as its own MongoDB span.
    for (const { span } of valid) {
      const write = tracer.startSpan(
        `mongodb bulkWrite ${Object.values(collections).join(",")}`,
        {
          kind: SpanKind.CLIENT,
          startTime: writeStarted,
          attributes: {
            "db.system": "mongodb",
            "db.operation.name": "bulkWrite",
            "db.namespace": deps.db.databaseName,
            "db.collection.name": Object.values(collections).join(","),
            "whatsapp.batch_size": valid.length,
          },
        },
        trace.setSpan(ROOT_CONTEXT, span),
      );
      write.end(writeEnded);
      span.end();
    }

    metrics.applied.inc(outcome.applied);
    metrics.duplicates.inc(outcome.duplicates);
    stopTimer();
    const last = batch.messages[batch.messages.length - 1]!;
    return { ...outcome, deadLettered: dead.length, nextOffset: (BigInt(last.offset) + 1n).toString() };
  };
}

async function publishDeadLetters<E>(
  deps: BatchHandlerDependencies<E>,
  batch: Pick<Batch, "topic" | "partition">,
  dead: { message: KafkaMessage; reason: string }[],
): Promise<void> {
  const messages = await Promise.all(
    dead.map(async ({ message, reason }) => {
      const letter: DeadLetter = {
        sourceTopic: batch.topic,
        sourcePartition: batch.partition,
        sourceOffset: message.offset,
        key: message.key ?? null,
        value: message.value ?? null,
        consumerGroup: deps.consumerGroup,
        reason,
        failedAt: Date.now(),
      };
      deps.metrics.deadLettered.inc({ kind: reason.split(":")[0]! });
      deps.logger.warn(
        { topic: batch.topic, partition: batch.partition, offset: message.offset, reason },
        "record dead-lettered; the projector goes on",
      );
      return {
        key: message.key ?? null,
        value: await deps.serde.encode("deadLetter", letter),
        headers: message.headers,
      };
    }),
  );
  await deps.deadLetterProducer.send({ topic: deps.serde.topic("deadLetter"), acks: -1, messages });
}
