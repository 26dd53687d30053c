import { context, trace } from "@opentelemetry/api";
import type { Batch, KafkaMessage, Producer } from "kafkajs";
import type { ContractSerde } from "../../contracts/serde";
import type { Logger } from "../../runtime/logger";
import { BatchTracing, sentContext, type BatchSource } from "./batch-tracing";
import { publishDeadLetters } from "./dead-letters";
import { deadLetterKindOf, isRetriable, SliceRefusedError, type Unapplicable } from "./errors";
import { type BatchOutcome, type Projection, serviceNameOf } from "./projection";
import type { ProjectorMetrics } from "./projector-metrics";
import { decodeRecord } from "./record-decoding";

/** Where a batch's events go: every read model of the projection. */
export interface ReadModelTarget<E> {
  apply(events: readonly E[]): Promise<BatchOutcome>;
  /** What the write spans name: database and collections in use. */
  target(): { database: string; collections: string[] };
}

export interface BatchHandlerDependencies<E> {
  projection: Projection<E>;
  readModels: ReadModelTarget<E>;
  serde: ContractSerde;
  deadLetterProducer: Producer;
  consumerGroup: string;
  metrics: ProjectorMetrics;
  logger: Logger;
}

export interface BatchResult extends BatchOutcome {
  /** Records the projection does not handle: committed, counted, never dead-lettered. */
  skipped: number;
  deadLettered: number;
  /** The offset to commit: one past the batch's last record. */
  nextOffset: string;
}

/**
 * Handles one slice of a Kafka batch, top to bottom: decode every record, skip the ones the projection
 * does not handle, dead-letter the ones it cannot apply, apply the rest in one go, then count and time them. Each
 * webhook's trace continues from the records' headers through the write. The caller commits
 * `nextOffset` only after this resolves, so a crash in between re-applies harmlessly.
 */
export function createBatchHandler<E>(deps: BatchHandlerDependencies<E>) {
  const { projection, readModels, metrics } = deps;
  const tracing = new BatchTracing(trace.getTracer(serviceNameOf(projection)), projection.name);
  const labels = { projection: projection.name };
  const topicIds = new Map(projection.topics.map((topic) => [deps.serde.topic(topic), topic]));

  return async function handleBatch(
    batch: Pick<Batch, "topic" | "partition" | "messages">,
  ): Promise<BatchResult> {
    const stopTimer = metrics.batchSeconds.startTimer(labels);
    const source: BatchSource = {
      topic: batch.topic,
      partition: batch.partition,
      consumerGroup: deps.consumerGroup,
    };

    const valid: DecodedRecord<E>[] = [];
    const dead: { message: KafkaMessage; unapplicable: Unapplicable }[] = [];
    let skipped = 0;
    const topic = topicIds.get(batch.topic);
    if (topic === undefined) throw new Error(`${projection.name} does not read topic ${batch.topic}`);
    for (const message of batch.messages) {
      const decoded = await decodeRecord(deps.serde, projection, message, topic);
      if ("event" in decoded) valid.push({ event: decoded.event, message, parent: sentContext(message) });
      else if ("skipped" in decoded) {
        skipped++;
        metrics.skipped.inc({ ...labels, reason: decoded.skipped });
      } else {
        dead.push({ message, unapplicable: decoded.unapplicable });
        tracing.deadLettered(source, message, decoded.unapplicable.kind);
      }
    }
    let outcome: BatchOutcome = { applied: 0, duplicates: 0 };
    if (valid.length > 0) {
      const spans = tracing.startProcessing(source, valid);
      const started = Date.now();
      let applied: Isolated;
      try {
        applied = await context.with(spans.context, () => applyIsolating(readModels, valid));
        // Every record of a slice refused alike is the store's or the code's doing, not the records':
        // the partition stalls (and says so) rather than draining the topic into the dead-letter topic.
        if (valid.length > 1 && applied.refused.length === valid.length)
          throw new SliceRefusedError(valid.length, applied.refused[0]!.unapplicable);
      } catch (error) {
        spans.failed(error as Error);
        throw error;
      }
      const ended = Date.now();
      spans.written({ started, ended, ...readModels.target() });
      outcome = applied.outcome;
      for (const refused of applied.refused) {
        dead.push(refused);
        tracing.deadLettered(source, refused.message, refused.unapplicable.kind);
      }
      // Freshness: from the record's timestamp (set when the ingress produced it) to the acknowledged write.
      const refused = new Set(applied.refused.map((r) => r.message));
      for (const { message } of valid)
        if (!refused.has(message))
          metrics.eventAge.observe(labels, Math.max(0, ended - Number(message.timestamp)) / 1000);
    }
    if (dead.length > 0)
      await publishDeadLetters(
        {
          serde: deps.serde,
          producer: deps.deadLetterProducer,
          metrics,
          logger: deps.logger,
          projection: projection.name,
        },
        source,
        dead,
      );

    metrics.applied.inc(labels, outcome.applied);
    metrics.duplicates.inc(labels, outcome.duplicates);
    stopTimer();
    const last = batch.messages[batch.messages.length - 1]!;
    return {
      ...outcome,
      skipped,
      deadLettered: dead.length,
      nextOffset: (BigInt(last.offset) + 1n).toString(),
    };
  };
}

interface DecodedRecord<E> {
  event: E;
  message: KafkaMessage;
  parent: ReturnType<typeof sentContext>;
}

interface Isolated {
  outcome: BatchOutcome;
  refused: { message: KafkaMessage; unapplicable: Unapplicable }[];
}

/**
 * Applies the records; when the store refuses them in a way retrying cannot help, narrows the refusal
 * down by halves to the records that cause it, which come back to be dead-lettered while the others
 * are applied. Errors that may pass (the store away, timeouts) fail the whole slice, to be retried.
 */
async function applyIsolating<E>(
  store: ReadModelTarget<E>,
  records: readonly DecodedRecord<E>[],
): Promise<Isolated> {
  try {
    return { outcome: await store.apply(records.map((r) => r.event)), refused: [] };
  } catch (error) {
    if (isRetriable(error)) throw error;
    if (records.length === 1)
      return {
        outcome: { applied: 0, duplicates: 0 },
        refused: [
          {
            message: records[0]!.message,
            unapplicable: { kind: deadLetterKindOf(error), detail: (error as Error).message },
          },
        ],
      };
    const middle = Math.ceil(records.length / 2);
    const first = await applyIsolating(store, records.slice(0, middle));
    const second = await applyIsolating(store, records.slice(middle));
    return {
      outcome: {
        applied: first.outcome.applied + second.outcome.applied,
        duplicates: first.outcome.duplicates + second.outcome.duplicates,
      },
      refused: [...first.refused, ...second.refused],
    };
  }
}
