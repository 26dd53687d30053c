import { describeKafkaConnection, kafkaSettingProblems, type KafkaSettings } from "./kafka-settings";
import { describeMongoConnection, mongoSettingProblems, type MongoSettings } from "./mongodb-settings";
import {
  describeSchemaRegistryConnection,
  schemaRegistrySettingProblems,
  type SchemaRegistrySettings,
} from "./schema-registry-settings";

type ConnectionSettings = KafkaSettings & SchemaRegistrySettings & MongoSettings;

/** Rules between the variables of Kafka, the registry and MongoDB, for whichever of them a service reads. */
export function connectionSettingProblems(settings: Partial<ConnectionSettings>): Record<string, string> {
  return {
    ...kafkaSettingProblems(settings),
    ...schemaRegistrySettingProblems(settings),
    ...mongoSettingProblems(settings),
  };
}

/** How a service reaches Kafka, the registry and MongoDB, for its start-up log line: never a secret. */
export function describeConnections(settings: ConnectionSettings) {
  return {
    kafka: describeKafkaConnection(settings),
    schemaRegistry: describeSchemaRegistryConnection(settings),
    mongodb: describeMongoConnection(settings),
  };
}
