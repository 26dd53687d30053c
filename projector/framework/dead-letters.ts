import type { KafkaMessage, Producer } from "kafkajs";
import type { DeadLetter } from "../../contracts/generated/types";
import type { ContractSerde } from "../../contracts/serde";
import type { Logger } from "../../runtime/logger";
import { deadLetterReason, type Unapplicable } from "./errors";
import type { BatchSource } from "./batch-tracing";
import type { ProjectorMetrics } from "./projector-metrics";

/** Writes records the projector cannot apply to the dead-letter topic, with the reason and original bytes. */
export async function publishDeadLetters(
  deps: {
    serde: ContractSerde;
    producer: Producer;
    metrics: ProjectorMetrics;
    logger: Logger;
    projection: string;
  },
  source: BatchSource,
  dead: readonly { message: KafkaMessage; unapplicable: Unapplicable }[],
): Promise<void> {
  const messages = await Promise.all(
    dead.map(async ({ message, unapplicable }) => {
      const reason = deadLetterReason(unapplicable);
      const letter: DeadLetter = {
        sourceTopic: source.topic,
        sourcePartition: source.partition,
        sourceOffset: message.offset,
        key: message.key ?? null,
        value: message.value ?? null,
        consumerGroup: source.consumerGroup,
        reason,
        failedAt: Date.now(),
      };
      deps.metrics.deadLettered.inc({ projection: deps.projection, kind: unapplicable.kind });
      deps.logger.warn(
        {
          projection: deps.projection,
          topic: source.topic,
          partition: source.partition,
          offset: message.offset,
          reason,
        },
        "record dead-lettered; the projector goes on",
      );
      return {
        key: message.key ?? null,
        value: await deps.serde.encode("deadLetter", letter),
        headers: message.headers,
      };
    }),
  );
  await deps.producer.send({ topic: deps.serde.topic("deadLetter"), acks: -1, messages });
}
