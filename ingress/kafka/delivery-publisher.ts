import type { Message, Producer, TopicMessages } from "kafkajs";
import type { ContractSerde } from "../../contracts/serde";
import type { TopicId } from "../../contracts/topics";
import type { Keyed, ParsedDelivery } from "../domain/delivery-parser";

/** Kafka did not acknowledge the delivery in time (or refused it): the caller must not answer 200. */
export class PublishFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PublishFailedError";
  }
}

/**
 * Writes one delivery, its raw record and every derived event, in one batched produce with acks=all
 * through the shared idempotent producer, and resolves only when Kafka acknowledged all of it.
 */
export class DeliveryPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly serde: ContractSerde,
    private readonly timeoutMs: number,
  ) {}

  async publish(delivery: ParsedDelivery): Promise<number> {
    const topicMessages = await this.encode(delivery);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PublishFailedError(`Kafka did not acknowledge within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([this.producer.sendBatch({ acks: -1, topicMessages }), deadline]);
    } catch (error) {
      if (error instanceof PublishFailedError) throw error;
      throw new PublishFailedError(`Kafka refused the delivery: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
    return topicMessages.reduce((count, batch) => count + batch.messages.length, 0);
  }

  private async encode(delivery: ParsedDelivery): Promise<TopicMessages[]> {
    const groups: [TopicId, Keyed<unknown>[]][] = [
      ["rawWebhook", [delivery.raw]],
      ["messageStatus", delivery.statuses],
      ["inboundMessage", delivery.inboundMessages],
      ["businessEvent", delivery.businessEvents],
    ];
    const batches: TopicMessages[] = [];
    for (const [topic, events] of groups) {
      if (events.length === 0) continue;
      const messages: Message[] = await Promise.all(
        events.map(async (event) => ({ key: event.key, value: await this.serde.encode(topic, event.value) })),
      );
      batches.push({ topic: this.serde.topic(topic), messages });
    }
    return batches;
  }
}
