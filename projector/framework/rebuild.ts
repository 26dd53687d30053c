import type { Admin } from "kafkajs";
import type { Logger } from "../../runtime/logger";
import { createMetricsRegistry } from "../../runtime/operations-endpoints";
import { swapCollections } from "./collection-swap";
import { collectionsOf, type Projection, serviceNameOf } from "./projection";
import { projectionRunner } from "./projection-runner";
import { connectProjector } from "./projector-connections";
import { createProjectorMetrics } from "./projector-metrics";
import { consumerGroupOf, type ProjectorSettings } from "./projector-settings";
import { declaredNames, ReadModelWriter, type CollectionNames } from "./read-model-writer";

/** Every partition's high watermark, by `<topic>/<partition>`. */
async function highWatermarks(admin: Admin, topics: readonly string[]): Promise<Map<string, bigint>> {
  const watermarks = new Map<string, bigint>();
  for (const topic of topics)
    for (const offsets of await admin.fetchTopicOffsets(topic))
      watermarks.set(`${topic}/${offsets.partition}`, BigInt(offsets.high));
  return watermarks;
}

/**
 * Rebuild mode of the projector framework: a consumer group of its own replays the whole topic into
 * temporary collections, which then replace the live ones; what the live projector applied meanwhile
 * is replayed after the swap. Reports progress through `report`.
 */
export async function rebuildProjection<E>(
  projection: Projection<E>,
  settings: ProjectorSettings,
  logger: Logger,
  report: (line: string) => void,
): Promise<void> {
  const stamp = Date.now().toString(36);
  const live = collectionsOf(projection as Projection<never>);
  const temporary: CollectionNames = (declared) => `${declared}_rebuild_${stamp}`;

  const connections = await connectProjector(
    projection.topics,
    `${serviceNameOf(projection)}-rebuild`,
    settings,
    logger,
  );
  const readModels = new ReadModelWriter(projection, connections.store, {
    rememberedDocuments: settings.REMEMBERED_DOCUMENTS,
    // Rebuilt documents' revisions start far above any a live projector remembers from the old ones.
    firstRevision: Date.now() * 1000,
  });
  readModels.writeInto(temporary);
  await readModels.ensureCollections();
  const topics = projection.topics.map((topic) => connections.serde.topic(topic));
  const group = `${consumerGroupOf(projection, settings)}.rebuild.${stamp}`;

  const started = Date.now();
  const position = new Map<string, bigint>();
  const totals = { records: 0, applied: 0, skipped: 0, duplicates: 0, deadLettered: 0 };
  const runner = projectionRunner({
    projection,
    readModels,
    connections,
    groupId: group,
    consumer: { maxBytesPerPartition: settings.MAX_BATCH_BYTES },
    partitionsConsumedConcurrently: 1,
    metrics: createProjectorMetrics(createMetricsRegistry(`${serviceNameOf(projection)}-rebuild`)),
    logger,
  });
  runner.on("committed", ({ topic, partition, result, records }) => {
    position.set(`${topic}/${partition}`, BigInt(result.nextOffset));
    totals.records += records;
    totals.applied += result.applied;
    totals.skipped += result.skipped;
    totals.duplicates += result.duplicates;
    totals.deadLettered += result.deadLettered;
  });
  await runner.start();

  const progress = (goal: Map<string, bigint>, phase: string) => {
    const wanted = [...goal.values()].reduce((a, b) => a + b, 0n);
    const done = [...goal.keys()].reduce((sum, p) => sum + (position.get(p) ?? 0n), 0n);
    const share = wanted === 0n ? 100 : Number((done * 1000n) / wanted) / 10;
    report(
      `${phase}: offsets ${done}/${wanted} (${share}%), applied ${totals.applied}, skipped ${totals.skipped}, duplicates ${totals.duplicates}, dead-lettered ${totals.deadLettered}`,
    );
  };
  const reach = async (goal: Map<string, bigint>, phase: string) => {
    let lastReport = 0;
    while (![...goal].every(([partition, high]) => (position.get(partition) ?? 0n) >= high)) {
      if (Date.now() - lastReport > 2000) {
        progress(goal, phase);
        lastReport = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    progress(goal, phase);
  };

  await reach(
    await highWatermarks(connections.admin, topics),
    `replaying ${topics.join(", ")} into ${live.map(temporary).join(", ")}`,
  );
  await runner.holdSlices();
  await swapCollections(connections.db, temporary, live, connections.store.profile);
  readModels.writeInto(declaredNames);
  runner.releaseSlices();
  // Whatever the live projector applied to the old collections meanwhile is replayed into the new ones.
  await reach(
    await highWatermarks(connections.admin, topics),
    `catching up after the swap into ${live.join(", ")}`,
  );

  await runner.stop();
  await connections.admin.deleteGroups([group]).catch(() => undefined);
  await connections.close();
  const offsets = [...position]
    .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
    .map(([p, o]) => `${p}:${o}`)
    .join(" ");
  report(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${live.join(", ")} rebuilt from ${topics.join(", ")} up to offsets ${offsets || "(empty topic)"}; ${totals.records} records, ${totals.applied} applied, ${totals.skipped} skipped, ${totals.duplicates} duplicates, ${totals.deadLettered} dead-lettered`,
  );
}
