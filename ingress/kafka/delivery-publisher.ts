import { setImmediate as nextTurn } from "node:timers/promises";
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { IHeaders, Message, Producer, TopicMessages } from "kafkajs";
import type { ContractSerde } from "../../contracts/serde";
import { deliveryTopics, type TopicId } from "../../contracts/topics";
import type { ParsedDelivery } from "../domain/delivery-parser";
import { recordsByTopic } from "../domain/delivery-topics";
import { ProduceCoalescer } from "./produce-coalescer";

/** Kafka did not acknowledge the delivery in time (or refused it): the caller must not answer 200. */
export class PublishFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PublishFailedError";
  }
}

/** A record of the delivery does not fit its schema; nothing of the delivery was sent. */
export class DeliveryEncodingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeliveryEncodingError";
  }
}

const tracer = trace.getTracer("whatsapp-ingress");
/** Records encoded between two turns of the event loop: a very large delivery must not stall the others. */
const recordsPerTurn = 1000;
/**
 * Largest produce request the coalescer builds from several deliveries (one delivery may be larger):
 * Kafka's own producer's max.request.size, a quarter of the default produce backlog bound. While one
 * request waits for its acknowledgement the next ones fill, so the backlog never is one request that
 * refuses every new delivery until it is acknowledged and then leaves the process idle.
 */
const maxCoalescedBytes = 1024 * 1024;
/**
 * Most records in one produce request: kafkajs's time to build a request grows much faster than its
 * record count, so a delivery with more records is sent as several requests, in order.
 */
const maxRecordsPerRequest = 4000;

/** The delivery's records in parts of at most `maxRecords`, topic by topic, in order. */
export function inParts(topicMessages: readonly TopicMessages[], maxRecords: number): TopicMessages[][] {
  const parts: TopicMessages[][] = [];
  let part: TopicMessages[] = [];
  let records = 0;
  for (const { topic, messages } of topicMessages) {
    for (let start = 0; start < messages.length;) {
      if (records === maxRecords) {
        parts.push(part);
        part = [];
        records = 0;
      }
      const taken = messages.slice(start, start + maxRecords - records);
      part.push({ topic, messages: taken });
      records += taken.length;
      start += taken.length;
    }
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/**
 * Writes one delivery, its raw record and every derived event, with acks=all through the shared
 * idempotent producer, and resolves only when Kafka acknowledged all of it (a delivery of many records
 * in several requests: one failing means 503, Meta's retry and duplicates that consumers collapse by
 * event id, as for any retried delivery). Concurrent deliveries share
 * produce requests (ProduceCoalescer); each keeps its own `send` span (one per delivery, over all its
 * topics: a span per topic cost throughput and told SREs nothing more) and puts that span's trace
 * context in its records' headers, so every webhook stays one trace.
 */
export class DeliveryPublisher {
  private readonly coalescer: ProduceCoalescer;
  private readonly topics: ReadonlySet<TopicId>;

  /** `topics`: the delivery topics written (the rederive command leaves the raw one out); default all. */
  constructor(
    producer: Producer,
    private readonly serde: ContractSerde,
    private readonly timeoutMs: number,
    topics: readonly TopicId[] = deliveryTopics.map(({ topic }) => topic),
  ) {
    this.coalescer = new ProduceCoalescer(producer, maxCoalescedBytes, maxRecordsPerRequest);
    this.topics = new Set(topics);
  }

  /** Value bytes handed to Kafka and not yet acknowledged: what new deliveries would queue behind. */
  get backlogBytes(): number {
    return this.coalescer.backlogBytes;
  }

  /**
   * Throws DeliveryEncodingError when a record does not fit its schema (nothing sent), PublishFailedError
   * when Kafka does not acknowledge within the timeout, which starts once the delivery is encoded.
   */
  async publish(delivery: ParsedDelivery): Promise<number> {
    const { topicMessages, span } = await this.encode(delivery);
    const sends = inParts(topicMessages, maxRecordsPerRequest).map((part) => this.coalescer.send(part));
    const acknowledged = Promise.all(sends.map((send) => send.acknowledged));
    let timer: NodeJS.Timeout | undefined;
    let lastTurn: NodeJS.Immediate | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // After a long synchronous stretch the deadline and Kafka's answer are both due, and timers run
        // before I/O: one more turn lets an answer already received count.
        lastTurn = setImmediate(() =>
          reject(new PublishFailedError(`Kafka did not acknowledge within ${this.timeoutMs} ms`)),
        );
      }, this.timeoutMs);
    });
    try {
      await Promise.race([acknowledged, deadline]);
    } catch (error) {
      // One part failed or the deadline passed: the parts not sent yet are not worth sending.
      for (const send of sends) send.abandon();
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      if (error instanceof PublishFailedError) throw error;
      throw new PublishFailedError(`Kafka refused the delivery: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      clearImmediate(lastTurn);
      span.end();
    }
    return topicMessages.reduce((count, batch) => count + batch.messages.length, 0);
  }

  private async encode(delivery: ParsedDelivery): Promise<{ topicMessages: TopicMessages[]; span: Span }> {
    const groups = recordsByTopic(delivery).filter(
      ({ topic, records }) => records.length > 0 && this.topics.has(topic),
    );
    const topics = groups.map(({ topic }) => this.serde.topic(topic));
    const span = tracer.startSpan("send", {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "kafka",
        "messaging.operation.type": "send",
        "messaging.operation.name": "send",
        "messaging.batch.message_count": groups.reduce((count, { records }) => count + records.length, 0),
        "whatsapp.topics": topics,
      },
    });
    const headers: IHeaders = {};
    propagation.inject(trace.setSpan(context.active(), span), headers);
    try {
      const topicMessages: TopicMessages[] = [];
      for (const [index, { topic, records }] of groups.entries()) {
        const messages: Message[] = [];
        for (let start = 0; start < records.length; start += recordsPerTurn) {
          if (start > 0) await nextTurn();
          const slice = records.slice(start, start + recordsPerTurn);
          messages.push(
            ...(await Promise.all(
              slice.map(async (event) => ({
                key: event.key,
                value: await this.serde.encode(topic, event.value),
                headers,
              })),
            )),
          );
        }
        topicMessages.push({ topic: topics[index]!, messages });
      }
      return { topicMessages, span };
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.end();
      throw new DeliveryEncodingError((error as Error).message, { cause: error });
    }
  }
}
