import type { Admin } from "kafkajs";
import type { Db } from "mongodb";
import type { Logger } from "../../runtime/logger";
import { createMetricsRegistry } from "../../runtime/operations-endpoints";
import type { CollectionNames } from "../mongo/mongo-read-models";
import { collectionsOf, type Projection, serviceNameOf } from "./projection";
import { connectProjector, consumeIntoReadModels } from "./projector-connections";
import type { ProjectorSettings } from "./projector-settings";

async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

const namespaceExists = 48;

/**
 * Replaces each live collection by its rebuilt one (which ensureIndexes created, so it exists). FerretDB
 * has no renameCollection dropTarget: drop, then rename (readers see the gap of one call); when the live
 * projector recreates the collection in between, drop and rename again (the catch-up after the swap
 * replays whatever that projector wrote into it).
 */
async function swapCollections(
  db: Db,
  rebuilt: CollectionNames,
  live: readonly string[],
  dropTarget: boolean,
): Promise<void> {
  for (const collection of live) {
    if (dropTarget) {
      await db.renameCollection(rebuilt(collection), collection, { dropTarget: true });
      continue;
    }
    for (let attempt = 1; ; attempt++) {
      await db
        .collection(collection)
        .drop()
        .catch(() => undefined);
      try {
        await db.renameCollection(rebuilt(collection), collection);
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== namespaceExists || attempt >= 10)
          throw new Error(
            `could not swap ${rebuilt(collection)} in as ${collection} (${(error as Error).message}); ` +
              `the rebuilt documents are still in ${rebuilt(collection)}: rename it by hand, or run the rebuild again`,
            { cause: error },
          );
      }
    }
  }
}

/** Holds slices back while the rebuild swaps collections, and waits for the ones already applying. */
class SliceGate {
  private active = 0;
  private closed: { opened: Promise<void>; open: () => void } | null = null;
  private idle: (() => void) | null = null;

  async enter(): Promise<void> {
    while (this.closed) await this.closed.opened;
    this.active++;
  }

  leave(): void {
    this.active--;
    if (this.active === 0) this.idle?.();
  }

  /** Resolves once no slice is applying; none starts until `open`. */
  async close(): Promise<void> {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.closed = { opened, open };
    if (this.active > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.idle = null;
  }

  open(): void {
    const closed = this.closed;
    this.closed = null;
    closed?.open();
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
  const live = collectionsOf(projection as Projection<never>);
  const temporary: CollectionNames = (declared) => `${declared}_rebuild_${stamp}`;
  let target: CollectionNames = temporary;

  const connections = await connectProjector(
    projection,
    settings,
    logger,
    createMetricsRegistry(`${serviceNameOf(projection)}-rebuild`),
    // Rebuilt documents' revisions start far above any a live projector remembers from the old ones.
    { firstRevision: Date.now() * 1000 },
  );
  await connections.readModels.ensureIndexes(temporary);
  const topic = connections.serde.topic(projection.topic);
  const group = `${settings.CONSUMER_GROUP}.rebuild.${stamp}`;

  const started = Date.now();
  const position = new Map<number, bigint>();
  const totals = { records: 0, applied: 0, duplicates: 0, deadLettered: 0 };
  const gate = new SliceGate();
  const consumer = connections.kafka.consumer({
    groupId: group,
    maxBytesPerPartition: settings.MAX_BATCH_BYTES,
  });
  await consumeIntoReadModels(projection, connections, consumer, {
    consumerGroup: group,
    logger,
    names: () => target,
    gate,
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
  await gate.close();
  await swapCollections(connections.db, temporary, live, connections.readModels.profile.name === "mongodb");
  target = (declared) => declared;
  gate.open();
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
