import { within } from "../../runtime/kafka-client";
import type { Logger } from "../../runtime/logger";
import { createMetricsRegistry, schemaRegistryAnswers } from "../../runtime/operations-endpoints";
import { startService, type RunningService } from "../../runtime/service";
import { PartitionProgress } from "./partition-progress";
import { type Projection, serviceNameOf } from "./projection";
import { connectProjector, consumeIntoReadModels } from "./projector-connections";
import type { ProjectorSettings } from "./projector-settings";

export type RunningProjector = RunningService;

/** A live projector: its consumer group applies the topic to the read models; /readyz says whether it can. */
export async function startProjector<E>(
  projection: Projection<E>,
  settings: ProjectorSettings,
  logger: Logger,
): Promise<RunningProjector> {
  const metricsRegistry = createMetricsRegistry(serviceNameOf(projection));
  return startService({
    name: serviceNameOf(projection),
    port: settings.PORT,
    host: settings.HOST,
    logger,
    metrics: metricsRegistry,
    shutdownGraceMs: settings.SHUTDOWN_GRACE_MS,
    start: async () => {
      const connections = await connectProjector(projection, settings, logger, metricsRegistry);
      await connections.readModels.ensureIndexes();
      const newConsumer = () =>
        connections.kafka.consumer({
          groupId: settings.CONSUMER_GROUP,
          maxBytesPerPartition: settings.MAX_BATCH_BYTES,
          minBytes: settings.FETCH_MIN_BYTES,
          maxWaitTimeInMs: settings.FETCH_MAX_WAIT_MS,
          // A failing batch (MongoDB away) is retried, then the consumer restarts from the last commit.
          retry: { initialRetryTime: 500, retries: 10, maxRetryTime: 10_000 },
        });
      let consumer = newConsumer();
      let stopping = false;
      const progress = new PartitionProgress(settings.STALL_AFTER_MS);
      const { lag, stalled } = connections.metrics;
      let joined = false;
      const stalledPartitions = () => {
        const now = new Set(progress.stalled());
        for (const partition of progress.known())
          stalled.set({ partition: String(partition) }, now.has(partition) ? 1 : 0);
        return [...now];
      };
      const consume = async (): Promise<void> => {
        const current = consumer;
        current.on(current.events.GROUP_JOIN, ({ payload }) => {
          joined = true;
          // Partitions a rebalance took away are another instance's now: their lag is not ours to report.
          const assigned = Object.values(payload.memberAssignment).flat();
          for (const partition of progress.retain(assigned)) {
            lag.remove({ partition: String(partition) });
            stalled.remove({ partition: String(partition) });
          }
        });
        current.on(current.events.CRASH, (event) => {
          joined = false;
          logger.error({ err: event.payload.error, restart: event.payload.restart }, "consumer crashed");
          // kafkajs gives up on some errors for good (a group membership that expired while a batch kept
          // failing): a new consumer resumes from the last commit.
          if (!event.payload.restart && !stopping) void restart(current);
        });
        current.on(current.events.STOP, () => (joined = false));
        await consumeIntoReadModels(projection, connections, current, {
          consumerGroup: settings.CONSUMER_GROUP,
          logger,
          // Partitions hold disjoint keys (messages, conversations), so their batches apply side by side.
          partitionsConsumedConcurrently: settings.TOPIC_PARTITIONS,
          fetched: ({ batch }) => {
            lag.set(
              { partition: String(batch.partition) },
              progress.fetched(
                batch.partition,
                batch.highWatermark,
                batch.firstOffset() ?? batch.highWatermark,
              ),
            );
            stalledPartitions();
          },
          applied: ({ batch }, result, records) => {
            lag.set(
              { partition: String(batch.partition) },
              progress.committed(batch.partition, batch.highWatermark, result.nextOffset),
            );
            logger.debug({ partition: batch.partition, records, ...result }, "slice applied");
          },
        });
      };
      const restart = async (crashed: typeof consumer): Promise<void> => {
        await crashed.disconnect().catch(() => undefined);
        if (stopping || consumer !== crashed) return;
        consumer = newConsumer();
        logger.warn("consumer stopped for good: starting a new one from the last commit");
        await consume().catch((error: unknown) => {
          logger.error({ err: error }, "the new consumer could not start; the next crash tries again");
        });
      };
      await consume();
      logger.info(
        {
          group: settings.CONSUMER_GROUP,
          topic: connections.serde.topic(projection.topic),
          collections: projection.readModels.map((model) => model.collection),
        },
        `${serviceNameOf(projection)} consuming`,
      );
      return {
        readiness: async () => ({
          ...Object.fromEntries(
            stalledPartitions().map((partition) => [`partition ${partition} progressing`, false]),
          ),
          kafka: joined,
          mongodb: await within(
            connections.db.command({ ping: 1 }).then(() => true),
            2000,
            false,
          ),
          schemaRegistry: await schemaRegistryAnswers(settings.SCHEMA_REGISTRY_URL),
        }),
        stop: async () => {
          // Finishes the batch in hand, commits, leaves the group, then closes the connections.
          stopping = true;
          await consumer.disconnect().catch(() => undefined);
          await connections.close();
        },
      };
    },
  });
}
