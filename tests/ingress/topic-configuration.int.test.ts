import { ConfigResourceTypes } from "kafkajs";
import { topicIds, topicName } from "../../contracts/topics";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { statusProjection } from "../../projector/projections/status/projection";
import { createLogger } from "../../runtime/logger";
import { TestProjectors } from "../support/projectors";
import { stackKafka } from "../support/stack-clients";

// docs/topics.md: every topic has 3 partitions (TOPIC_PARTITIONS), infinite retention and
// max.message.bytes 16 MiB. The ingress creates the four it writes, a projector the dead-letter topic;
// read back from the broker with describeConfigs.
const prefix = `${process.env.TOPIC_PREFIX}topic-config.`;
const kafka = stackKafka("test-topic-config");
const admin = kafka.admin();
const projectors = new TestProjectors();
let ingress: RunningIngress | undefined;

afterAll(async () => {
  await ingress?.stop();
  await projectors.stopAll();
  await admin.disconnect();
});

it("creates every topic with the documented partitions, retention and largest record", async () => {
  ingress = await startIngress(
    readIngressSettings({
      ...process.env,
      TOPIC_PREFIX: prefix,
      PORT: "0",
      OPS_PORT: "0",
      WHATSAPP_APP_SECRET: "topic-config-secret",
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: "topic-config-token",
    }),
    createLogger("test", "silent"),
  );
  await projectors.start(statusProjection, prefix, `whatsapp_test_${process.env.TEST_RUN_ID}_topic_config`);

  await admin.connect();
  const names = topicIds.map((topic) => topicName(topic, prefix));
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ["retention.ms", "retention.bytes", "cleanup.policy", "max.message.bytes"],
    })),
  });
  const described = Object.fromEntries(
    names.map((name) => [
      name,
      {
        partitions: topics.find((topic) => topic.name === name)?.partitions.length,
        ...Object.fromEntries(
          resources
            .find((resource) => resource.resourceName === name)!
            .configEntries.map((entry) => [entry.configName, entry.configValue]),
        ),
      },
    ]),
  );
  // Infinite retention: no age or size limit, and no compaction (which keeps only a key's latest record).
  const documented = {
    partitions: 3,
    "retention.ms": "-1",
    "retention.bytes": "-1",
    "cleanup.policy": "delete",
    "max.message.bytes": String(16 * 1024 * 1024),
  };
  expect(described).toEqual(Object.fromEntries(names.map((name) => [name, documented])));
});
