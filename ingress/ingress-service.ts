import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { NodeSDK } from "@opentelemetry/sdk-node";
import { MongoClient } from "mongodb";
import { ContractSerde } from "../contracts/serde";
import { ensureTopics } from "../contracts/topic-admin";
import type { TopicId } from "../contracts/topics";
import { createKafka, idempotentProducer, within } from "../runtime/kafka-client";
import { createLogger, type Logger } from "../runtime/logger";
import { createMetricsRegistry } from "../runtime/operations-endpoints";
import { SettingsError } from "../runtime/settings";
import { WebhookCredentialsCache, whatsappConfigs } from "./configuration/whatsapp-config-store";
import { readIngressSettings, type IngressSettings } from "./ingress-settings";
import { DeliveryPublisher } from "./kafka/delivery-publisher";
import { createIngressMetrics } from "./http/ingress-metrics";
import { createWebhookApp } from "./http/webhook-app";

const producedTopics: TopicId[] = ["rawWebhook", "messageStatus", "inboundMessage", "businessEvent"];

export interface RunningIngress {
  port: number;
  /** Stops accepting, finishes in-flight requests (up to SHUTDOWN_GRACE_MS), flushes the producer. */
  stop(): Promise<void>;
}

/** Entry point of the process: starts the ingress and stops it gracefully on SIGTERM/SIGINT. */
export async function runIngress(telemetry: NodeSDK): Promise<void> {
  const settings = readIngressSettings();
  const logger = createLogger("whatsapp-ingress", settings.LOG_LEVEL);
  const ingress = await startIngress(settings, logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: no new connections, finishing in-flight requests");
    await ingress.stop();
    await telemetry.shutdown().catch(() => undefined);
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

/** Wires the ingress: MongoDB configuration, Kafka topics and producer, registry, HTTP. */
export async function startIngress(settings: IngressSettings, logger: Logger): Promise<RunningIngress> {
  const mongo = new MongoClient(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
  const credentials = new WebhookCredentialsCache(
    whatsappConfigs(mongo.db(settings.MONGODB_DB)),
    { appSecrets: settings.WHATSAPP_APP_SECRET, verifyTokens: settings.WHATSAPP_WEBHOOK_VERIFY_TOKEN },
    settings.WHATSAPP_CONFIG_REFRESH_MS,
    logger,
  );
  await credentials.start();
  if (!credentials.isReady()) {
    throw new SettingsError({
      WHATSAPP_APP_SECRET:
        "missing (required unless an active whatsapp_configs document supplies an app secret)",
      WHATSAPP_WEBHOOK_VERIFY_TOKEN:
        "missing (required unless an active whatsapp_configs document supplies a verify token)",
    });
  }

  const kafka = createKafka("whatsapp-ingress", settings.KAFKA_BROKERS, logger);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, producedTopics, settings.TOPIC_PREFIX, settings.TOPIC_PARTITIONS);
  const serde = new ContractSerde(settings.SCHEMA_REGISTRY_URL, settings.TOPIC_PREFIX);
  await serde.register(producedTopics);
  const producer = kafka.producer(idempotentProducer);
  await producer.connect();
  const publisher = new DeliveryPublisher(producer, serde, settings.PUBLISH_TIMEOUT_MS);

  const metricsRegistry = createMetricsRegistry("whatsapp-ingress");
  const metrics = createIngressMetrics(metricsRegistry);
  const readiness = async () => {
    const [kafkaReady, registryReady] = await Promise.all([
      within(
        admin.describeCluster().then(() => true),
        2000,
        false,
      ),
      within(
        fetch(`${settings.SCHEMA_REGISTRY_URL}/subjects`).then((response) => response.ok),
        2000,
        false,
      ),
    ]);
    return { kafka: kafkaReady, schemaRegistry: registryReady, configuration: credentials.isReady() };
  };
  const app = createWebhookApp({
    credentials: () => credentials.current(),
    publish: (delivery) => publisher.publish(delivery),
    readiness,
    metricsRegistry,
    metrics,
    logger,
    maxBodyBytes: settings.MAX_BODY_BYTES,
  });

  const server: Server = app.listen(settings.PORT, settings.HOST);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  logger.info(
    {
      port: settings.PORT,
      host: settings.HOST,
      credentials: credentials.current().source,
      topicPrefix: settings.TOPIC_PREFIX,
    },
    "whatsapp-ingress listening",
  );

  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await within(closed, settings.SHUTDOWN_GRACE_MS, undefined);
      server.closeAllConnections();
      credentials.stop();
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await mongo.close().catch(() => undefined);
    },
  };
}
