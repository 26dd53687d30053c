import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { IHeaders, Message, Producer, TopicMessages } from "kafkajs";
import type { ContractSerde } from "../../contracts/serde";
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

const tracer = trace.getTracer("whatsapp-ingress");
/** Largest produce request the coalescer builds from several deliveries (one delivery may be larger). */
const maxCoalescedBytes = 4 * 1024 * 1024;

/**
 * Writes one delivery, its raw record and every derived event, with acks=all through the shared
 * idempotent producer, and resolves only when Kafka acknowledged all of it. Concurrent deliveries share
 * produce requests (ProduceCoalescer); each keeps its own `send` span (one per delivery, over all its
 * topics: a span per topic cost throughput and told SREs nothing more) and puts that span's trace
 * context in its records' headers, so every webhook stays one trace.
 */
export class DeliveryPublisher {
  private readonly coalescer: ProduceCoalescer;

  constructor(
    producer: Producer,
    private readonly serde: ContractSerde,
    private readonly timeoutMs: number,
  ) {
    this.coalescer = new ProduceCoalescer(producer, maxCoalescedBytes);
  }

  async publish(delivery: ParsedDelivery): Promise<number> {
    const { topicMessages, span } = await this.encode(delivery);
    const send = this.coalescer.send(topicMessages);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        send.abandon();
        reject(new PublishFailedError(`Kafka did not acknowledge within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      await Promise.race([send.acknowledged, deadline]);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      if (error instanceof PublishFailedError) throw error;
      throw new PublishFailedError(`Kafka refused the delivery: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      span.end();
    }
    return topicMessages.reduce((count, batch) => count + batch.messages.length, 0);
  }

  private async encode(delivery: ParsedDelivery): Promise<{ topicMessages: TopicMessages[]; span: Span }> {
    const groups = recordsByTopic(delivery).filter(({ records }) => records.length > 0);
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
    const topicMessages = await Promise.all(
      groups.map(async ({ topic, records }, index): Promise<TopicMessages> => {
        const messages: Message[] = await Promise.all(
          records.map(async (event) => ({
            key: event.key,
            value: await this.serde.encode(topic, event.value),
            headers,
          })),
        );
        return { topic: topics[index]!, messages };
      }),
    );
    return { topicMessages, span };
  }
}
