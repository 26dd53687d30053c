import { kafkaSettingSpecs } from "../../runtime/kafka-settings";
import { schemaRegistrySettingSpecs } from "../../runtime/schema-registry-settings";
import { readSettings, stackSettingSpecs } from "../../runtime/settings";

/** The rederive command needs Kafka, the registry and the deployment's topic prefix; no database. */
export const rederiveSettingSpecs = {
  ...kafkaSettingSpecs,
  ...schemaRegistrySettingSpecs,
  TOPIC_PREFIX: stackSettingSpecs.TOPIC_PREFIX,
  LOG_LEVEL: stackSettingSpecs.LOG_LEVEL,
};

export type RederiveSettings = ReturnType<typeof readRederiveSettings>;

export function readRederiveSettings(env: NodeJS.ProcessEnv = process.env) {
  return readSettings(rederiveSettingSpecs, env);
}
