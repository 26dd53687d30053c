import { MongoClient } from "mongodb";
import { ContractSerde } from "../contracts/serde";
import { ensureTopics } from "../contracts/topic-admin";
import { deliveryTopics } from "../contracts/topics";
import { createKafka, idempotentProducer, within } from "../runtime/kafka-client";
import { describeConnections } from "../runtime/connection-settings";
import { kafkaConnectionOf } from "../runtime/kafka-settings";
import type { Logger } from "../runtime/logger";
import { mongoClientOptions } from "../runtime/mongodb-settings";
import { createMetricsRegistry, schemaRegistryAnswers } from "../runtime/operations-endpoints";
import { startService, type RunningService } from "../runtime/service";
import { serviceNames } from "../runtime/service-names";
import { schemaRegistryConnectionOf } from "../runtime/schema-registry-settings";
import { SettingsError } from "../runtime/settings";
import { keyringOf } from "../runtime/whatsapp-settings";
import { ConfigCache, whatsappConfigs } from "./configuration/config-cache";
import type { IngressSettings } from "./ingress-settings";
import { IngressLoad, refusalLog } from "./http/admission";
import { refuseOverCapacityEarly } from "./http/early-refusal";
import { EventLoopTurns } from "./http/event-loop-turns";
import { createIngressMetrics } from "./http/ingress-metrics";
import { DeliveryPublisher } from "./kafka/delivery-publisher";
import { createWebhookRoutes, webhookPath } from "./http/webhook-routes";

const producedTopics = deliveryTopics.map(({ topic }) => topic);

export type RunningIngress = RunningService;

/** The ingress: MongoDB configuration, Kafka topics and producer, registry, and the webhook routes. */
export async function startIngress(settings: IngressSettings, logger: Logger): Promise<RunningIngress> {
  const metricsRegistry = createMetricsRegistry(serviceNames.ingress);
  return startService({
    name: serviceNames.ingress,
    port: settings.PORT,
    host: settings.HOST,
    logger,
    metrics: metricsRegistry,
    shutdownGraceMs: settings.SHUTDOWN_GRACE_MS,
    operations: { port: settings.OPS_PORT, host: settings.OPS_HOST },
    trustedProxies: settings.TRUSTED_PROXIES,
    listenBacklog: settings.LISTEN_BACKLOG,
    listenSockets: settings.LISTEN_SOCKETS,
    arrivalTimeouts: {
      headersTimeoutMs: settings.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: settings.REQUEST_TIMEOUT_MS,
    },
    start: async () => {
      logger.info({ connections: describeConnections(settings) }, "whatsapp-ingress connecting");
      const mongo = new MongoClient(settings.MONGODB_URI, {
        ...mongoClientOptions(settings),
        serverSelectionTimeoutMS: 5000,
      });
      const credentials = new ConfigCache(
        whatsappConfigs(mongo.db(settings.MONGODB_DB)),
        {
          appSecrets: settings.WHATSAPP_APP_SECRET,
          verifyTokens: settings.WHATSAPP_WEBHOOK_VERIFY_TOKEN,
          developmentMode: settings.WHATSAPP_DEV_MODE,
        },
        settings.WHATSAPP_CONFIG_REFRESH_MS,
        logger,
        keyringOf(settings),
      );
      await credentials.start();
      const unreadable = credentials.unreadableDocuments();
      if (unreadable.length > 0) {
        // A refused start leaves nothing open behind it (a caller in the same process goes on).
        credentials.stop();
        await mongo.close().catch(() => undefined);
        throw new SettingsError({
          CONFIG_ENCRYPTION_KEY: `does not open every active whatsapp_configs document (CONFIG_ENCRYPTION_KEY_PREVIOUS holds the key before a rotation):\n    ${unreadable.map((error) => error.message).join("\n    ")}`,
        });
      }
      if (settings.WHATSAPP_DEV_MODE)
        logger.warn(
          "WHATSAPP_DEV_MODE: the development secrets of make up are accepted; never for real traffic",
        );

      const kafka = createKafka(serviceNames.ingress, kafkaConnectionOf(settings), logger);
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, producedTopics, settings.TOPIC_PREFIX, settings.TOPIC_PARTITIONS);
      const registry = schemaRegistryConnectionOf(settings);
      const serde = new ContractSerde(registry, settings.TOPIC_PREFIX);
      await serde.register(producedTopics);
      const producer = kafka.producer(idempotentProducer);
      await producer.connect();
      const publisher = new DeliveryPublisher(producer, serde, settings.PUBLISH_TIMEOUT_MS);
      logger.info(
        { credentials: credentials.current().source, topicPrefix: settings.TOPIC_PREFIX },
        "whatsapp-ingress connected",
      );

      const turns = new EventLoopTurns();
      const load = new IngressLoad({
        turnWaitMs: () => turns.oldestWaitMs(),
        produceBacklogBytes: () => publisher.backlogBytes,
      });
      const limits = {
        load,
        metrics: createIngressMetrics(metricsRegistry, load),
        logger,
        logRefusal: refusalLog(logger, load),
        maxBodyBytes: settings.MAX_BODY_BYTES,
        bodyReadTimeoutMs: settings.BODY_READ_TIMEOUT_MS,
        maxConnections: settings.MAX_CONNECTIONS,
        maxDeliveriesInFlight: settings.MAX_DELIVERIES_IN_FLIGHT,
        maxTurnWaitMs: settings.MAX_TURN_WAIT_MS,
        maxProduceBacklogBytes: settings.MAX_PRODUCE_BACKLOG_BYTES,
        maxBodyBytesInFlight: settings.MAX_BODY_BYTES_IN_FLIGHT,
      };
      return {
        routes: createWebhookRoutes({
          ...limits,
          credentials,
          publisher,
          turns,
          minBodyBytesPerSecond: settings.MIN_BODY_BYTES_PER_SECOND,
          trustTraceparent: settings.TRUST_TRACEPARENT,
        }),
        answerEarly: refuseOverCapacityEarly({ ...limits, path: webhookPath }),
        watchServer: (server) => load.watch(server),
        readiness: async () => {
          const [kafkaReady, registryReady] = await Promise.all([
            within(
              admin.describeCluster().then(() => true),
              2000,
              false,
            ),
            schemaRegistryAnswers(registry),
          ]);
          return { kafka: kafkaReady, schemaRegistry: registryReady, configuration: credentials.isReady() };
        },
        stop: async () => {
          credentials.stop();
          await producer.disconnect().catch(() => undefined);
          await admin.disconnect().catch(() => undefined);
          await mongo.close().catch(() => undefined);
        },
      };
    },
  });
}
