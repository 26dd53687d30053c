import type { Admin } from "kafkajs";
import type { Db } from "mongodb";
import type { Logger } from "../../runtime/logger";
import { createMetricsRegistry } from "../../runtime/operations-endpoints";
import type { CollectionNames } from "../mongo/mongo-read-models";
import { type Projection, serviceNameOf } from "./projection";
import { connectProjector, consumeIntoReadModels } from "./projector-connections";
import type { ProjectorSettings } from "./projector-settings";

async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

/** Replaces each live collection by its rebuilt one (which ensureIndexes created, so it exists). */
async function swapCollections(db: Db, rebuilt: CollectionNames, live: readonly string[]): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const collection of live) {
    // FerretDB has no renameCollection dropTarget: drop, then rename (readers see the gap of one call).
    if (existing.has(collection)) await db.collection(collection).drop();
    await db.renameCollection(rebuilt(collection), collection);
  }
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
  const live = projection.readModels.map((model) => model.collection);
  const temporary: CollectionNames = (declared) => `${declared}_rebuild_${stamp}`;
  let target: CollectionNames = temporary;

  const connections = await connectProjector(
    projection,
    settings,
    logger,
    createMetricsRegistry(`${serviceNameOf(projection)}-rebuild`),
  );
  await connections.readModels.ensureIndexes(temporary);
  const topic = connections.serde.topic(projection.topic);
  const group = `${settings.CONSUMER_GROUP}.rebuild.${stamp}`;

  const started = Date.now();
  const position = new Map<number, bigint>();
  const totals = { records: 0, applied: 0, duplicates: 0, deadLettered: 0 };
  let inFlight: Promise<unknown> = Promise.resolve();
  const consumer = connections.kafka.consumer({
    groupId: group,
    maxBytesPerPartition: settings.MAX_BATCH_BYTES,
  });
  await consumeIntoReadModels(projection, connections, consumer, {
    consumerGroup: group,
    logger,
    names: () => target,
    started: (work) => (inFlight = work.catch(() => undefined)),
    applied: (payload, result, records) => {
      position.set(payload.batch.partition, BigInt(result.nextOffset));
      totals.records += records;
      totals.applied += result.applied;
      totals.duplicates += result.duplicates;
      totals.deadLettered += result.deadLettered;
    },
  });

  const progress = (goal: Map<number, bigint>, phase: string) => {
    const wanted = [...goal.values()].reduce((a, b) => a + b, 0n);
    const done = [...goal.keys()].reduce((sum, p) => sum + (position.get(p) ?? 0n), 0n);
    const share = wanted === 0n ? 100 : Number((done * 1000n) / wanted) / 10;
    report(
      `${phase}: offsets ${done}/${wanted} (${share}%), applied ${totals.applied}, duplicates ${totals.duplicates}, dead-lettered ${totals.deadLettered}`,
    );
  };
  const reach = async (goal: Map<number, bigint>, phase: string) => {
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
    await highWatermarks(connections.admin, topic),
    `replaying ${topic} into ${live.map(temporary).join(", ")}`,
  );
  consumer.pause([{ topic }]);
  await inFlight;
  await swapCollections(connections.db, temporary, live);
  target = (declared) => declared;
  consumer.resume([{ topic }]);
  // Whatever the live projector applied to the old collections meanwhile is replayed into the new ones.
  await reach(
    await highWatermarks(connections.admin, topic),
    `catching up after the swap into ${live.join(", ")}`,
  );

  await consumer.disconnect();
  await connections.admin.deleteGroups([group]).catch(() => undefined);
  await connections.close();
  const offsets = [...position]
    .sort(([a], [b]) => a - b)
    .map(([p, o]) => `${p}:${o}`)
    .join(" ");
  report(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${live.join(", ")} rebuilt from ${topic} up to offsets ${offsets || "(empty topic)"}; ${totals.records} records, ${totals.applied} applied, ${totals.duplicates} duplicates, ${totals.deadLettered} dead-lettered`,
  );
}
