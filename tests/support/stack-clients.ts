import { Kafka, logLevel } from "kafkajs";
import type { SchemaRegistryConnection } from "../../contracts/schema-registry-client";
import { kafkaConnectionOf, kafkaSettingSpecs } from "../../runtime/kafka-settings";
import {
  schemaRegistryConnectionOf,
  schemaRegistrySettingSpecs,
} from "../../runtime/schema-registry-settings";
import { readSettings } from "../../runtime/settings";

/**
 * Clients the tests and benchmarks make of their own, reaching the stack as the services do: the KAFKA_*
 * and SCHEMA_REGISTRY_* settings of the environment (`overrides` win), TLS and credentials included.
 */
export function stackKafka(clientId: string, overrides: NodeJS.ProcessEnv = {}): Kafka {
  const settings = readSettings(kafkaSettingSpecs, { ...process.env, ...overrides });
  return new Kafka({ clientId, ...kafkaConnectionOf(settings), logLevel: logLevel.NOTHING });
}

export function stackRegistry(overrides: NodeJS.ProcessEnv = {}): SchemaRegistryConnection {
  return schemaRegistryConnectionOf(
    readSettings(schemaRegistrySettingSpecs, { ...process.env, ...overrides }),
  );
}
