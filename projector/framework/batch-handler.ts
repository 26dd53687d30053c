import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
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

  /** A consumer span for records of one batch, child of the context their producer sent along. */
  const processSpan = (
    batch: Pick<Batch, "topic" | "partition">,
    records: readonly KafkaMessage[],
    parent: Context,
  ): Span => {
    const first = records[0]!;
    const last = records[records.length - 1]!;
    return tracer.startSpan(
      `process ${batch.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "kafka",
          "messaging.operation.type": "process",
          "messaging.destination.name": batch.topic,
          "messaging.destination.partition.id": String(batch.partition),
          "messaging.consumer.group.name": deps.consumerGroup,
          "messaging.batch.message_count": records.length,
          ...(records.length === 1
            ? {
                "messaging.kafka.offset": first.offset,
                "messaging.kafka.message.key": first.key?.toString() ?? "",
              }
            : { "whatsapp.kafka.first_offset": first.offset, "whatsapp.kafka.last_offset": last.offset }),
        },
      },
      parent,
    );
  };

  return async function handleBatch(
    batch: Pick<Batch, "topic" | "partition" | "messages">,
  ): Promise<BatchResult> {
    const stopTimer = metrics.batchSeconds.startTimer();
    const valid: { event: E; message: KafkaMessage; parent: Context }[] = [];
    const dead: { message: KafkaMessage; reason: string }[] = [];

    for (const message of batch.messages) {
      const parent = propagation.extract(ROOT_CONTEXT, message.headers ?? {}, headerGetter);
      const checked = await checkRecord(deps, message);
      if (checked.ok) {
        valid.push({ event: checked.event, message, parent });
        continue;
      }
      dead.push({ message, reason: checked.reason });
      // A record that goes to the dead-letter topic keeps a span of its own, marked as an error.
      const span = processSpan(batch, [message], parent);
      span.setStatus({ code: SpanStatusCode.ERROR, message: checked.reason.split(":")[0]! });
      span.end();
    }

    if (dead.length > 0) await publishDeadLetters(deps, batch, dead);

    // One process span per producer context: the records of one webhook delivery share its `send`
    // span, so a delivery of 100 statuses shows in its trace as one process span and one write span,
    // not 200 (spans per event were about a sixth of the status projector's CPU at 200 deliveries/s).
    const traced = [...groupByParent(valid).values()].map(({ parent, records }) => ({
      span: processSpan(
        batch,
        records.map((r) => r.message),
        parent,
      ),
      events: records.length,
    }));
    const collections = deps.collections();
    const writeStarted = Date.now();
    let outcome: BatchOutcome = { applied: 0, duplicates: 0 };
    try {
      if (valid.length > 0) {
        outcome = await context.with(trace.setSpan(context.active(), traced[0]!.span), () =>
          projection.apply(
            deps.db,
            collections,
            valid.map((v) => v.event),
          ),
        );
      }
    } catch (error) {
      for (const { span } of traced) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
      throw error;
    }
    const writeEnded = Date.now();
    // One bulk write serves the whole batch; each trace shows it as its own MongoDB span.
    for (const { span, events } of traced) {
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
            "whatsapp.trace_events": events,
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

/** Decodes a record through the registry and checks it against the projection, or says why not. */
async function checkRecord<E>(
  deps: Pick<BatchHandlerDependencies<E>, "serde" | "projection">,
  message: KafkaMessage,
): Promise<{ ok: true; event: E } | { ok: false; reason: string }> {
  if (!message.value) return { ok: false, reason: "empty value (tombstone): nothing to apply" };
  let decoded: unknown;
  try {
    decoded = await deps.serde.decode(message.value);
  } catch (error) {
    return { ok: false, reason: `undecodable: ${(error as Error).message}` };
  }
  const checked = deps.projection.validate(decoded);
  if (typeof checked === "string") return { ok: false, reason: `not applicable: ${checked}` };
  return { ok: true, event: checked };
}

/** Records grouped by the span their producer sent along (trace and span id); records without one together. */
export function groupByParent<R extends { parent: Context }>(
  records: readonly R[],
): Map<string, { parent: Context; records: R[] }> {
  const groups = new Map<string, { parent: Context; records: R[] }>();
  for (const record of records) {
    const sent = trace.getSpanContext(record.parent);
    const key = sent && isSpanContextValid(sent) ? `${sent.traceId}/${sent.spanId}` : "";
    const group = groups.get(key) ?? { parent: record.parent, records: [] };
    group.records.push(record);
    groups.set(key, group);
  }
  return groups;
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
