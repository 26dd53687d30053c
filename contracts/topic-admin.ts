import type { Admin } from "kafkajs";
import { topicContracts, topicName, type TopicId } from "./topics";

/** Creates the contract topics that do not exist yet, with the retention their contract states. */
export async function ensureTopics(
  admin: Admin,
  topics: readonly TopicId[],
  prefix: string,
  numPartitions: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topicName(topic, prefix)));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic: topicName(topic, prefix),
      numPartitions,
      configEntries: [
        { name: "retention.ms", value: String(topicContracts[topic].retentionMs) },
        { name: "max.message.bytes", value: String(topicContracts[topic].maxMessageBytes) },
      ],
    })),
  });
}
