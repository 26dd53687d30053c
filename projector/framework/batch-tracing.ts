import {
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from "@opentelemetry/api";
import type { IHeaders, KafkaMessage } from "kafkajs";

const headerGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

/** The trace context the record's producer sent along in its headers. */
export const sentContext = (message: KafkaMessage): Context =>
  propagation.extract(ROOT_CONTEXT, message.headers ?? {}, headerGetter);

export interface BatchSource {
  topic: string;
  partition: number;
  consumerGroup: string;
}

/**
 * Spans of a batch: one `process` span per producer context (the records of one webhook delivery share
 * its `send` span, so a delivery of 100 statuses shows one process span and one write span, not 200),
 * and one span of its own, marked as an error, for a record that goes to the dead-letter topic.
 */
export class BatchTracing {
  constructor(
    private readonly tracer: Tracer,
    /** The projection whose spans these are: several may share a process and its service name. */
    private readonly projection: string,
  ) {}

  /** Ends at once: a dead-lettered record's span, with the dead letter's kind as its status. */
  deadLettered(source: BatchSource, message: KafkaMessage, kind: string): void {
    const span = this.processSpan(source, [message], sentContext(message));
    span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
    span.end();
  }

  /** Starts one process span per producer context of the records; `end` closes them with the write. */
  startProcessing(source: BatchSource, records: readonly { message: KafkaMessage; parent: Context }[]) {
    const spans = [...groupByParent(records).values()].map(({ parent, records: group }) => ({
      span: this.processSpan(
        source,
        group.map((r) => r.message),
        parent,
      ),
      events: group.length,
    }));
    return {
      /** The context the write runs in (the first delivery's span). */
      context: spans.length > 0 ? trace.setSpan(ROOT_CONTEXT, spans[0]!.span) : ROOT_CONTEXT,
      failed: (error: Error) => {
        for (const { span } of spans) {
          span.recordException(error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          span.end();
        }
      },
      /** One write serves the whole batch; each delivery's trace shows it as its own MongoDB span. */
      written: (write: { started: number; ended: number; database: string; collections: string[] }) => {
        for (const { span, events } of spans) {
          this.tracer
            .startSpan(
              `mongodb bulkWrite ${write.collections.join(",")}`,
              {
                kind: SpanKind.CLIENT,
                startTime: write.started,
                attributes: {
                  "db.system": "mongodb",
                  "db.operation.name": "bulkWrite",
                  "db.namespace": write.database,
                  "db.collection.name": write.collections.join(","),
                  "whatsapp.batch_size": records.length,
                  "whatsapp.trace_events": events,
                },
              },
              trace.setSpan(ROOT_CONTEXT, span),
            )
            .end(write.ended);
          span.end();
        }
      },
    };
  }

  private processSpan(source: BatchSource, records: readonly KafkaMessage[], parent: Context): Span {
    const first = records[0]!;
    const last = records[records.length - 1]!;
    return this.tracer.startSpan(
      `process ${source.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "kafka",
          "messaging.operation.type": "process",
          "messaging.destination.name": source.topic,
          "messaging.destination.partition.id": String(source.partition),
          "messaging.consumer.group.name": source.consumerGroup,
          "whatsapp.projection": this.projection,
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
  }
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
