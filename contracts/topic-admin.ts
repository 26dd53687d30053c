import type { Admin } from "kafkajs";
import { topicContracts, topicName, type TopicId } from "./topics";

/**
 * Creates the contract topics that do not exist yet, with the retention their contract states, and
 * returns once every partition of them has a leader.
 */
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
    // Waited for below: kafkajs's own wait retries only LEADER_NOT_AVAILABLE, and skips the wait when
    // another service created some of the same topics at the same moment.
    waitForLeaders: false,
    topics: missing.map((topic) => ({
      topic: topicName(topic, prefix),
      numPartitions,
      configEntries: [
        { name: "retention.ms", value: String(topicContracts[topic].retentionMs) },
        { name: "max.message.bytes", value: String(topicContracts[topic].maxMessageBytes) },
      ],
    })),
  });
  await waitForLeaders(
    admin,
    missing.map((topic) => topicName(topic, prefix)),
  );
}

/**
 * Polls the topics' metadata until every partition has a leader: right after a topic is created the
 * broker can answer UNKNOWN_TOPIC_OR_PARTITION, and a service must not exit on it. Any failure before
 * the deadline is retried; at the deadline the last one is thrown.
 */
export async function waitForLeaders(
  admin: Pick<Admin, "fetchTopicMetadata">,
  topics: string[],
  timeoutMs = 30_000,
  pollMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let problem: unknown;
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const leaderless = topics.filter((name) => {
        const partitions = metadata.find((topic) => topic.name === name)?.partitions ?? [];
        return partitions.length === 0 || partitions.some((partition) => partition.leader < 0);
      });
      if (leaderless.length === 0) return;
      problem = new Error(`no leader yet for every partition of ${leaderless.join(", ")}`);
    } catch (error) {
      problem = error;
    }
    if (Date.now() >= deadline) throw problem;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
