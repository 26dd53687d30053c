import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from "kafkajs";
import { MongoClient, type Db } from "mongodb";
import type { Registry } from "prom-client";
import { ContractSerde } from "../../contracts/serde";
import { ensureTopics } from "../../contracts/topic-admin";
import { createKafka, idempotentProducer } from "../../runtime/kafka-client";
import type { Logger } from "../../runtime/logger";
import { declaredNames, MongoReadModels, type CollectionNames } from "../mongo/mongo-read-models";
import { chooseStoreProfile, type StoreProfileSetting } from "../mongo/store-profile";
import { StoreReconnector } from "../mongo/store-reconnect";
import { createBatchHandler, type BatchResult } from "./batch-handler";
import { applyInSlices } from "./batch-slices";
import { type Projection, serviceNameOf } from "./projection";
import { createProjectorMetrics, type ProjectorMetrics } from "./projector-metrics";
import type { ProjectorSettings } from "./projector-settings";

/** Everything a projector (live or rebuilding) talks to, connected and ready. */
export interface ProjectorConnections<E> {
  db: Db;
  kafka: Kafka;
  admin: Admin;
  serde: ContractSerde;
  deadLetterProducer: Producer;
  readModels: MongoReadModels<E>;
  /** Reopens the MongoDB client after store calls found no server for too long. */
  storeReconnector: StoreReconnector;
  metrics: ProjectorMetrics;
  close(): Promise<void>;
}

/** Connects MongoDB (choosing the store's profile), Kafka (its topics ensured), the registry and a producer. */
export async function connectProjector<E>(
  projection: Projection<E>,
  settings: ProjectorSettings,
  logger: Logger,
  metricsRegistry: Registry,
  store: { firstRevision?: number } = {},
): Promise<ProjectorConnections<E>> {
  const mongo = new MongoClient(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
  await mongo.connect();
  const db = mongo.db(settings.MONGODB_DB);
  const profile = await chooseStoreProfile(db, settings.MONGODB_PROFILE as StoreProfileSetting);
  logger.info({ profile }, `store profile ${profile.name}`);
  const readModels = new MongoReadModels(db, projection, profile, {
    rememberedDocuments: settings.REMEMBERED_DOCUMENTS,
    ...store,
  });

  const kafka = createKafka(serviceNameOf(projection), settings.KAFKA_BROKERS, logger);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(
    admin,
    [projection.topic, "deadLetter"],
    settings.TOPIC_PREFIX,
    settings.TOPIC_PARTITIONS,
  );
  const serde = new ContractSerde(settings.SCHEMA_REGISTRY_URL, settings.TOPIC_PREFIX);
  await serde.register(["deadLetter"]);
  const deadLetterProducer = kafka.producer(idempotentProducer);
  await deadLetterProducer.connect();

  return {
    db,
    kafka,
    admin,
    serde,
    deadLetterProducer,
    readModels,
    storeReconnector: new StoreReconnector(mongo, settings.STORE_REOPEN_AFTER_MS, logger),
    metrics: createProjectorMetrics(metricsRegistry),
    close: async () => {
      await deadLetterProducer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await mongo.close().catch(() => undefined);
    },
  };
}

/**
 * Consumes the projection's topic with `consumer` into the read models (named by `names`, which a
 * rebuild switches while running), in committed slices; `applied` hears about every slice.
 */
export async function consumeIntoReadModels<E>(
  projection: Projection<E>,
  connections: ProjectorConnections<E>,
  consumer: Consumer,
  options: {
    consumerGroup: string;
    logger: Logger;
    partitionsConsumedConcurrently?: number;
    names?: () => CollectionNames;
    applied?: (payload: EachBatchPayload, result: BatchResult, records: number) => void;
    /** Hears of every fetched batch before it is applied. */
    fetched?: (payload: EachBatchPayload) => void;
    /** Lets each slice in, and hears when it is done (the rebuild holds slices back while it swaps). */
    gate?: { enter(): Promise<void>; leave(): void };
  },
): Promise<void> {
  const names = options.names ?? (() => declaredNames);
  const handleBatch = createBatchHandler({
    projection,
    store: {
      apply: async (events) => {
        try {
          const outcome = await connections.readModels.apply(events, names());
          connections.storeReconnector.succeeded();
          return outcome;
        } catch (error) {
          await connections.storeReconnector.failed(error);
          throw error;
        }
      },
      target: () => ({
        database: connections.db.databaseName,
        collections: projection.readModels.map((model) => names()(model.collection)),
      }),
    },
    serde: connections.serde,
    deadLetterProducer: connections.deadLetterProducer,
    consumerGroup: options.consumerGroup,
    metrics: connections.metrics,
    logger: options.logger,
  });
  const gate = options.gate;
  const gated: typeof handleBatch = gate
    ? async (slice) => {
        await gate.enter();
        try {
          return await handleBatch(slice);
        } finally {
          gate.leave();
        }
      }
    : handleBatch;
  await consumer.connect();
  await consumer.subscribe({ topic: connections.serde.topic(projection.topic), fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: (payload) => {
      options.fetched?.(payload);
      return applyInSlices(payload, consumer, gated, (result, records) =>
        options.applied?.(payload, result, records),
      );
    },
  });
}
