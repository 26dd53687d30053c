import type { Admin } from "kafkajs";
import { MongoClient, type Db } from "mongodb";
import { ContractSerde } from "../contracts/serde";
import { ensureTopics } from "../contracts/topic-admin";
import { createKafka, idempotentProducer } from "../runtime/kafka-client";
import { createLogger } from "../runtime/logger";
import { createMetricsRegistry } from "../runtime/operations-endpoints";
import { conversationProjection } from "./conversation/conversation-projection";
import { createBatchHandler } from "./runtime/batch-handler";
import { applyInSlices } from "./runtime/batch-slices";
import type { Projection } from "./runtime/projection";
import { createProjectorMetrics } from "./runtime/projector-metrics";
import { readProjectorSettings } from "./runtime/projector-settings";
import { statusProjection } from "./status/status-projection";

const projections: Record<string, Projection<never>> = {
  status: statusProjection as Projection<never>,
  conversation: conversationProjection as Projection<never>,
};

const usage = `Rebuilds a read model from the start of its topic, into new collections that then replace the live ones:
  npm run rebuild -- status         message_statuses from whatsapp.message.status.v1
  npm run rebuild -- conversation   inbound_messages and conversations from whatsapp.message.inbound.v1
The live projector may keep running: events it applies during the rebuild are replayed after the swap.`;

async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

/** Replaces each live collection by its rebuilt one (which ensureIndexes created, so it exists). */
async function swapCollections(
  db: Db,
  rebuilt: Record<string, string>,
  live: Record<string, string>,
): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const role of Object.keys(live)) {
    // FerretDB has no renameCollection dropTarget: drop, then rename (readers see the gap of one call).
    if (existing.has(live[role]!)) await db.collection(live[role]!).drop();
    await db.renameCollection(rebuilt[role]!, live[role]!);
  }
}

async function rebuild(name: string): Promise<number> {
  const projection = projections[name];
  if (!projection) {
    console.error(usage);
    return 2;
  }
  const settings = readProjectorSettings({ port: 0, consumerGroup: projection.serviceName });
  const logger = createLogger(
    `${projection.serviceName}-rebuild`,
    settings.LOG_LEVEL === "info" ? "warn" : settings.LOG_LEVEL,
  );
  const stamp = Date.now().toString(36);
  const live = projection.collections;
  const temporary = Object.fromEntries(
    Object.entries(live).map(([role, collection]) => [role, `${collection}_rebuild_${stamp}`]),
  );
  let target = temporary;

  const mongo = new MongoClient(settings.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  await mongo.connect();
  const db = mongo.db(settings.MONGODB_DB);
  await projection.ensureIndexes(db, temporary);

  const kafka = createKafka(`${projection.serviceName}-rebuild`, settings.KAFKA_BROKERS, logger);
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
  const topic = serde.topic(projection.topic);
  const producer = kafka.producer(idempotentProducer);
  await producer.connect();
  const group = `${settings.CONSUMER_GROUP}.rebuild.${stamp}`;
  const handleBatch = createBatchHandler({
    projection,
    db,
    collections: () => target,
    serde,
    deadLetterProducer: producer,
    consumerGroup: group,
    metrics: createProjectorMetrics(createMetricsRegistry(`${projection.serviceName}-rebuild`)),
    logger,
  });

  const started = Date.now();
  const position = new Map<number, bigint>();
  const totals = { records: 0, applied: 0, duplicates: 0, deadLettered: 0 };
  let inFlight: Promise<unknown> = Promise.resolve();
  const consumer = kafka.consumer({ groupId: group, maxBytesPerPartition: settings.MAX_BATCH_BYTES });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: (payload) => {
      const work = applyInSlices(payload, consumer, handleBatch, (result, records) => {
        position.set(payload.batch.partition, BigInt(result.nextOffset));
        totals.records += records;
        totals.applied += result.applied;
        totals.duplicates += result.duplicates;
        totals.deadLettered += result.deadLettered;
      });
      inFlight = work.catch(() => undefined);
      return work;
    },
  });

  const report = (goal: Map<number, bigint>, phase: string) => {
    const wanted = [...goal.values()].reduce((a, b) => a + b, 0n);
    const done = [...goal.keys()].reduce((sum, p) => sum + (position.get(p) ?? 0n), 0n);
    const share = wanted === 0n ? 100 : Number((done * 1000n) / wanted) / 10;
    console.log(
      `[rebuild ${name}] ${phase}: offsets ${done}/${wanted} (${share}%), applied ${totals.applied}, duplicates ${totals.duplicates}, dead-lettered ${totals.deadLettered}`,
    );
  };
  const reach = async (goal: Map<number, bigint>, phase: string) => {
    let lastReport = 0;
    while (![...goal].every(([partition, high]) => (position.get(partition) ?? 0n) >= high)) {
      if (Date.now() - lastReport > 2000) {
        report(goal, phase);
        lastReport = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    report(goal, phase);
  };

  await reach(
    await highWatermarks(admin, topic),
    `replaying ${topic} into ${Object.values(temporary).join(", ")}`,
  );
  consumer.pause([{ topic }]);
  await inFlight;
  await swapCollections(db, temporary, live);
  target = live;
  consumer.resume([{ topic }]);
  // Whatever the live projector applied to the old collections meanwhile is replayed into the new ones.
  await reach(
    await highWatermarks(admin, topic),
    `catching up after the swap into ${Object.values(live).join(", ")}`,
  );

  await consumer.disconnect();
  await admin.deleteGroups([group]).catch(() => undefined);
  await producer.disconnect();
  await admin.disconnect();
  await mongo.close();
  const offsets = [...position]
    .sort(([a], [b]) => a - b)
    .map(([p, o]) => `${p}:${o}`)
    .join(" ");
  console.log(
    `[rebuild ${name}] done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${Object.values(live).join(", ")} rebuilt from ${topic} up to offsets ${offsets || "(empty topic)"}; ${totals.records} records, ${totals.applied} applied, ${totals.duplicates} duplicates, ${totals.deadLettered} dead-lettered`,
  );
  return 0;
}

rebuild(process.argv[2] ?? "").then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`rebuild failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
