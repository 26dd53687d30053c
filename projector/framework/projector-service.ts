import { within } from "../../runtime/kafka-client";
import type { Logger } from "../../runtime/logger";
import { createMetricsRegistry, schemaRegistryAnswers } from "../../runtime/operations-endpoints";
import { startService, type RunningService } from "../../runtime/service";
import { SettingsError } from "../../runtime/settings";
import { PartitionProgress } from "./partition-progress";
import { collectionsOf, type Projection } from "./projection";
import { projectionRunner, type ProjectionRunner } from "./projection-runner";
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
      const topics = projections.map((projection) => projection.topic);
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
          schemaRegistry: await schemaRegistryAnswers(settings.SCHEMA_REGISTRY_URL),
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
      topic: connections.serde.topic(projection.topic),
      collections: collectionsOf(projection),
    },
    `projection ${projection.name} consuming`,
  );
  const prefix = (entry: string) => `${projection.name}: ${entry}`;
  return {
    runner,
    readiness: () => [
      [prefix("kafka"), runner.joined],
      ...stalledPartitions().map((partition): [string, boolean] => [
        prefix(`partition ${partition} progressing`),
        false,
      ]),
    ],
  };
}

/** Lag and stall gauges from the runner's events; returns the stalled partitions, updating the gauge. */
function watchPartitions(
  runner: ProjectionRunner,
  projection: string,
  metrics: ProjectorMetrics,
  stallAfterMs: number,
  logger: Logger,
): () => number[] {
  const progress = new PartitionProgress(stallAfterMs);
  const labels = (partition: number) => ({ projection, partition: String(partition) });
  const stalledPartitions = () => {
    const stalled = new Set(progress.stalled());
    for (const partition of progress.known())
      metrics.stalled.set(labels(partition), stalled.has(partition) ? 1 : 0);
    return [...stalled];
  };
  runner.on("joined", ({ partitions }) => {
    // Partitions a rebalance took away are another instance's now: their lag is not ours to report.
    for (const partition of progress.retain(partitions)) {
      metrics.lag.remove(labels(partition));
      metrics.stalled.remove(labels(partition));
    }
  });
  runner.on("fetched", ({ partition, highWatermark, firstOffset }) => {
    metrics.lag.set(labels(partition), progress.fetched(partition, highWatermark, firstOffset));
    stalledPartitions();
  });
  runner.on("committed", ({ partition, highWatermark, result, records }) => {
    metrics.lag.set(labels(partition), progress.committed(partition, highWatermark, result.nextOffset));
    logger.debug({ partition, records, ...result }, "slice applied");
  });
  return stalledPartitions;
}
