import type { Consumer, EachBatchPayload, KafkaMessage } from "kafkajs";
import type { BatchResult } from "./batch-handler";

/** Records applied (and committed) at a time within one fetched batch. */
const recordsPerSlice = 500;

/**
 * Applies a fetched batch in slices, each committed after its writes and followed by a heartbeat, so
 * a slow database never holds the consumer past its session timeout (a rebalance would replay the
 * whole batch, again and again). Stops at a rebalance; the next owner resumes from the last commit.
 */
export async function applyInSlices(
  payload: Pick<EachBatchPayload, "batch" | "heartbeat" | "resolveOffset" | "isRunning" | "isStale">,
  consumer: Pick<Consumer, "commitOffsets">,
  handle: (slice: { topic: string; partition: number; messages: KafkaMessage[] }) => Promise<BatchResult>,
  applied: (result: BatchResult, records: number, elapsedMs: number) => void,
): Promise<void> {
  const { batch } = payload;
  for (let start = 0; start < batch.messages.length; start += recordsPerSlice) {
    if (!payload.isRunning() || payload.isStale()) return;
    const messages = batch.messages.slice(start, start + recordsPerSlice);
    const started = performance.now();
    const result = await handle({ topic: batch.topic, partition: batch.partition, messages });
    await consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: result.nextOffset },
    ]);
    payload.resolveOffset(messages[messages.length - 1]!.offset);
    applied(result, messages.length, Math.round(performance.now() - started));
    await payload.heartbeat();
  }
}
