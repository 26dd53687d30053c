import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { NodeSDK } from "@opentelemetry/sdk-node";
import type { Consumer } from "kafkajs";
import Koa from "koa";
import { MongoClient } from "mongodb";
import { ContractSerde } from "../../contracts/serde";
import { ensureTopics } from "../../contracts/topic-admin";
import { createKafka, idempotentProducer, within } from "../../runtime/kafka-client";
import { createLogger, type Logger } from "../../runtime/logger";
import { createMetricsRegistry, operationsRouter } from "../../runtime/operations-endpoints";
import { createBatchHandler } from "./batch-handler";
import { applyInSlices } from "./batch-slices";
import type { Projection } from "./projection";
import { createProjectorMetrics } from "./projector-metrics";
import { readProjectorSettings, type ProjectorSettings } from "./projector-settings";

export interface RunningProjector {
  port: number;
  consumer: Consumer;
  /** Finishes the batch in hand, commits, leaves the group, closes connections. */
  stop(): Promise<void>;
}

/** Entry point of a projector process: starts it and stops it gracefully on SIGTERM/SIGINT. */
export async function runProjector<E>(
  projection: Projection<E>,
  defaultPort: number,
  telemetry: NodeSDK,
): Promise<void> {
  const settings = readProjectorSettings({ port: defaultPort, consumerGroup: projection.serviceName });
  const logger = createLogger(projection.serviceName, settings.LOG_LEVEL);
  const projector = await startProjector(projection, settings, logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing the batch in hand, committing, leaving the group");
    await projector.stop();
    await telemetry.shutdown().catch(() => undefined);
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

/** Wires a projection to Kafka (its consumer group), the registry, MongoDB and an operations endpoint. */
export async function startProjector<E>(
  projection: Projection<E>,
  settings: ProjectorSettings,
  logger: Logger,
): Promise<RunningProjector> {
  const mongo = new MongoClient(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
  await mongo.connect();
  const db = mongo.db(settings.MONGODB_DB);
  await projection.ensureIndexes(db, projection.collections);

  const kafka = createKafka(projection.serviceName, settings.KAFKA_BROKERS, logger);
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

  const metricsRegistry = createMetricsRegistry(projection.serviceName);
  const metrics = createProjectorMetrics(metricsRegistry);
  const handleBatch = createBatchHandler({
    projection,
    db,
    collections: () => projection.collections,
    serde,
    deadLetterProducer,
    consumerGroup: settings.CONSUMER_GROUP,
    metrics,
    logger,
  });

  const consumer = kafka.consumer({
    groupId: settings.CONSUMER_GROUP,
    maxBytesPerPartition: settings.MAX_BATCH_BYTES,
    minBytes: settings.FETCH_MIN_BYTES,
    maxWaitTimeInMs: settings.FETCH_MAX_WAIT_MS,
    // A failing batch (MongoDB away) is retried, then the consumer restarts from the last commit.
    retry: { initialRetryTime: 500, retries: 10, maxRetryTime: 10_000 },
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  consumer.on(consumer.events.CRASH, (event) => {
    joined = false;
    logger.error({ err: event.payload.error, restart: event.payload.restart }, "consumer crashed");
  });
  consumer.on(consumer.events.STOP, () => (joined = false));
  await consumer.connect();
  await consumer.subscribe({ topic: serde.topic(projection.topic), fromBeginning: true });
  await consumer.run({
    // Partitions hold disjoint keys (messages, conversations), so their batches apply side by side.
    partitionsConsumedConcurrently: settings.TOPIC_PARTITIONS,
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: (payload) =>
      applyInSlices(payload, consumer, handleBatch, (result, records, elapsedMs) => {
        metrics.lag.set(
          { partition: String(payload.batch.partition) },
          Math.max(0, Number(BigInt(payload.batch.highWatermark) - BigInt(result.nextOffset))),
        );
        logger.debug({ partition: payload.batch.partition, records, elapsedMs, ...result }, "slice applied");
      }),
  });

  const readiness = async () => ({
    kafka: joined,
    mongodb: await within(
      db.command({ ping: 1 }).then(() => true),
      2000,
      false,
    ),
    schemaRegistry: await within(
      fetch(`${settings.SCHEMA_REGISTRY_URL}/subjects`).then((r) => r.ok),
      2000,
      false,
    ),
  });
  const app = new Koa();
  const operations = operationsRouter(metricsRegistry, readiness);
  app.use(operations.routes()).use(operations.allowedMethods());
  const server: Server = app.listen(settings.PORT, settings.HOST);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  logger.info(
    {
      port: settings.PORT,
      group: settings.CONSUMER_GROUP,
      topic: serde.topic(projection.topic),
      collections: projection.collections,
    },
    `${projection.serviceName} consuming`,
  );

  return {
    port: (server.address() as AddressInfo).port,
    consumer,
    stop: async () => {
      await consumer.disconnect().catch(() => undefined);
      await deadLetterProducer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mongo.close().catch(() => undefined);
    },
  };
}
