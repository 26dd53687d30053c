import type { Admin, Kafka, Producer } from "kafkajs";
import { MongoClient, type Db } from "mongodb";
import { ContractSerde } from "../../contracts/serde";
import { ensureTopics } from "../../contracts/topic-admin";
import type { TopicId } from "../../contracts/topics";
import type { SchemaRegistryConnection } from "../../contracts/schema-registry-client";
import { describeConnections } from "../../runtime/connection-settings";
import { createKafka, idempotentProducer } from "../../runtime/kafka-client";
import { kafkaConnectionOf } from "../../runtime/kafka-settings";
import type { Logger } from "../../runtime/logger";
import { mongoClientOptions } from "../../runtime/mongodb-settings";
import { schemaRegistryConnectionOf } from "../../runtime/schema-registry-settings";
import { MongoStore } from "../mongo/mongo-store";
import { chooseStoreProfile, type StoreProfileSetting } from "../mongo/store-profile";
import { StoreReconnector } from "../mongo/store-reconnect";
import type { ProjectorSettings } from "./projector-settings";

/** Everything a projector process (live or rebuilding) talks to, connected and ready; shared by its projections. */
export interface ProjectorConnections {
  db: Db;
  store: MongoStore;
  kafka: Kafka;
  admin: Admin;
  registry: SchemaRegistryConnection;
  serde: ContractSerde;
  deadLetterProducer: Producer;
  close(): Promise<void>;
}

/** Connects MongoDB (choosing the store's profile), Kafka (the topics ensured), the registry and a producer. */
export async function connectProjector(
  topics: readonly TopicId[],
  clientId: string,
  settings: ProjectorSettings,
  logger: Logger,
): Promise<ProjectorConnections> {
  logger.info({ connections: describeConnections(settings) }, `${clientId} connecting`);
  const mongo = new MongoClient(settings.MONGODB_URI, {
    ...mongoClientOptions(settings),
    serverSelectionTimeoutMS: 5000,
  });
  await mongo.connect();
  const db = mongo.db(settings.MONGODB_DB);
  const profile = await chooseStoreProfile(db, settings.MONGODB_PROFILE as StoreProfileSetting);
  logger.info({ profile }, `store profile ${profile.name}`);
  const reconnector = new StoreReconnector(mongo, settings.STORE_REOPEN_AFTER_MS, logger);

  const kafka = createKafka(clientId, kafkaConnectionOf(settings), logger);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(
    admin,
    [...new Set([...topics, "deadLetter" as const])],
    settings.TOPIC_PREFIX,
    settings.TOPIC_PARTITIONS,
  );
  const registry = schemaRegistryConnectionOf(settings);
  const serde = new ContractSerde(registry, settings.TOPIC_PREFIX);
  await serde.register(["deadLetter"]);
  const deadLetterProducer = kafka.producer(idempotentProducer);
  await deadLetterProducer.connect();

  return {
    db,
    store: new MongoStore(db, profile, reconnector),
    kafka,
    admin,
    registry,
    serde,
    deadLetterProducer,
    close: async () => {
      await deadLetterProducer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await mongo.close().catch(() => undefined);
    },
  };
}
