import { Partitioners, type Message } from "kafkajs";
import { ContractSerde } from "../../contracts/serde";
import { ensureTopics } from "../../contracts/topic-admin";
import type { TopicId } from "../../contracts/topics";
import { stackKafka, stackRegistry } from "./stack-clients";

/** Writes contract events to a topic exactly as the ingress would: Avro, Confluent wire format, keyed. */
export class EventProducer {
  private readonly kafka = stackKafka("test-producer");
  private readonly producer = this.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  readonly serde: ContractSerde;

  constructor(readonly topicPrefix: string) {
    this.serde = new ContractSerde(stackRegistry(), topicPrefix);
  }

  async connect(topics: TopicId[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [...topics, "deadLetter"], this.topicPrefix, 3);
    await admin.disconnect();
    await this.serde.register(topics);
    await this.producer.connect();
  }

  async send<T>(topic: TopicId, events: { key: string; value: T }[]): Promise<void> {
    for (let i = 0; i < events.length; i += 500) {
      const messages = await Promise.all(
        events
          .slice(i, i + 500)
          .map(async (e) => ({ key: e.key, value: await this.serde.encode(topic, e.value) })),
      );
      await this.producer.send({ topic: this.serde.topic(topic), acks: -1, messages });
    }
  }

  /** Raw bytes, for poison records: anything the projector must survive. */
  async sendRaw(topic: TopicId, messages: Message[]): Promise<void> {
    await this.producer.send({ topic: this.serde.topic(topic), acks: -1, messages });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 500)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}
