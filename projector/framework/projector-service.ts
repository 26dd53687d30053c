import { within } from "../../runtime/kafka-client";
import type { Logger } from "../../runtime/logger";
import { createMetricsRegistry, schemaRegistryAnswers } from "../../runtime/operations-endpoints";
import { startService, type RunningService } from "../../runtime/service";
import { SettingsError } from "../../runtime/settings";
import { PartitionProgress } from "./partition-progress";
import { collectionsOf, type Projection } from "./projection";
import { projectionRunner, type ProjectionRunner, type TopicPartition } from "./projection-runner";
import { connectProjector, type ProjectorConnections } from "./projector-connections";
import { createProjectorMetrics, type ProjectorMetrics } from "./projector-metrics";
import {
  consumerGroupOf,
  consumerGroupOfSeveral,
  projectorProcessName,
  type ProjectorSettings,
} from "./projector-settings";
import { ReadModelWriter } from "./read-model-writer";

export type RunningProjector = RunningService;

/**
 * A live projector process: one or several projections, each with its own consumer group, read-model
 * writer, metrics labels, stall detection and readiness, over one set of connections. /readyz says
 * whether every projection can apply its topic.
 */
export async function startProjector(
  projections: readonly Projection<never>[],
  settings: ProjectorSettings,
  logger: Logger,
): Promise<RunningProjector> {
  if (settings.CONSUMER_GROUP && projections.length > 1)
    throw new SettingsError({ CONSUMER_GROUP: consumerGroupOfSeveral });
  const name = projectorProcessName(projections);
  const metricsRegistry = createMetricsRegistry(name);
  const metrics = createProjectorMetrics(metricsRegistry);
  return startService({
    name,
    port: settings.PORT,
    host: settings.HOST,
    logger,
    metrics: metricsRegistry,
    shutdownGraceMs: settings.SHUTDOWN_GRACE_MS,
    start: async () => {
      const topics = [...new Set(projections.flatMap((projection) => projection.topics))];
      const connections = await connectProjector(topics, name, settings, logger);
      const running: RunningProjection[] = [];
      for (const projection of projections)
        running.push(
          await startProjection(
            projection,
            connections,
            settings,
            metrics,
            logger.child({ projection: projection.name }),
          ),
        );
      return {
        readiness: async () => ({
          ...Object.fromEntries(running.flatMap((projection) => projection.readiness())),
          mongodb: await within(
            connections.db.command({ ping: 1 }).then(() => true),
            2000,
            false,
          ),
          schemaRegistry: await schemaRegistryAnswers(connections.registry),
        }),
        stop: async () => {
          await Promise.all(running.map((projection) => projection.runner.stop()));
          await connections.close();
        },
      };
    },
  });
}

interface RunningProjection {
  runner: ProjectionRunner;
  /** Readiness entries: the consumer in its group, and each stalled partition. */
  readiness(): [string, boolean][];
}

async function startProjection(
  projection: Projection<never>,
  connections: ProjectorConnections,
  settings: ProjectorSettings,
  metrics: ProjectorMetrics,
  logger: Logger,
): Promise<RunningProjection> {
  const groupId = consumerGroupOf(projection, settings);
  const readModels = new ReadModelWriter(projection, connections.store, {
    rememberedDocuments: settings.REMEMBERED_DOCUMENTS,
  });
  await readModels.ensureCollections();
  const runner = projectionRunner({
    projection,
    readModels,
    connections,
    groupId,
    consumer: {
      maxBytesPerPartition: settings.MAX_BATCH_BYTES,
      minBytes: settings.FETCH_MIN_BYTES,
      maxWaitTimeInMs: settings.FETCH_MAX_WAIT_MS,
      // A failing batch (MongoDB away) is retried, then the consumer restarts from the last commit.
      retry: { initialRetryTime: 500, retries: 10, maxRetryTime: 10_000 },
    },
    partitionsConsumedConcurrently: settings.TOPIC_PARTITIONS,
    metrics,
    logger,
  });
  const stalledPartitions = watchPartitions(
    runner,
    projection.name,
    metrics,
    settings.STALL_AFTER_MS,
    logger,
  );
  await runner.start();
  logger.info(
    {
      group: groupId,
      topics: projection.topics.map((topic) => connections.serde.topic(topic)),
      collections: collectionsOf(projection),
    },
    `projection ${projection.name} consuming`,
  );
  const prefix = (entry: string) => `${projection.name}: ${entry}`;
  return {
    runner,
    readiness: () => [
      [prefix("kafka"), runner.joined],
      ...stalledPartitions().map(({ topic, partition }): [string, boolean] => [
        prefix(`${topic} partition ${partition} progressing`),
        false,
      ]),
    ],
  };
}

/** A topic's partition as PartitionProgress names it, and back. */
const partitionKey = ({ topic, partition }: TopicPartition): string => `${topic}/${partition}`;
const topicPartitionOf = (key: string): TopicPartition => {
  const slash = key.lastIndexOf("/");
  return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) };
};

/** Lag and stall gauges from the runner's events; returns the stalled partitions, updating the gauge. */
function watchPartitions(
  runner: ProjectionRunner,
  projection: string,
  metrics: ProjectorMetrics,
  stallAfterMs: number,
  logger: Logger,
): () => TopicPartition[] {
  const progress = new PartitionProgress(stallAfterMs);
  const labels = (key: string) => {
    const { topic, partition } = topicPartitionOf(key);
    return { projection, topic, partition: String(partition) };
  };
  const stalledPartitions = () => {
    const stalled = new Set(progress.stalled());
    for (const key of progress.known()) metrics.stalled.set(labels(key), stalled.has(key) ? 1 : 0);
    return [...stalled].map(topicPartitionOf);
  };
  runner.on("joined", ({ assigned }) => {
    // Partitions a rebalance took away are another instance's now: their lag is not ours to report.
    for (const key of progress.retain(assigned.map(partitionKey))) {
      metrics.lag.remove(labels(key));
      metrics.stalled.remove(labels(key));
    }
  });
  runner.on("fetched", ({ highWatermark, firstOffset, ...at }) => {
    const key = partitionKey(at);
    metrics.lag.set(labels(key), progress.fetched(key, highWatermark, firstOffset));
    stalledPartitions();
  });
  runner.on("committed", ({ topic, partition, highWatermark, result, records }) => {
    const key = partitionKey({ topic, partition });
    metrics.lag.set(labels(key), progress.committed(key, highWatermark, result.nextOffset));
    logger.debug({ topic, partition, records, ...result }, "slice applied");
  });
  return stalledPartitions;
}
