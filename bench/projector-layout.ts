import type { Kafka } from "kafkajs";
import { topicContracts } from "../contracts/topics";
import { startServiceProcess, type ServiceProcess } from "../tests/support/service-process";
import { removeRunData } from "../tests/support/run-data";
import { stackKafka } from "../tests/support/stack-clients";
import { cpuBetween, cpuSnapshot } from "./process-cpu";
import { inboundBacklog, preload, rssMegabytes, statusBacklog } from "./projector-rate";
import { serviceCode } from "./service-code";
import { stackAddresses } from "./stack-addresses";

/**
 * One projector process running both projections against two processes of one each: the same
 * preloaded backlogs (BENCH_LAYOUT_EVENTS of each topic), applied from a fresh consumer group and
 * database; resident memory (peak, summed over the processes), our processes' CPU seconds and the
 * store's, and the time until both groups committed everything. Run with `make bench-layout`.
 */
const stack = stackAddresses();
const events = Number(process.env.BENCH_LAYOUT_EVENTS ?? 20_000);
const runId = `l${Date.now().toString(36)}`;
const entry = serviceCode().projectors.status.entry;
const log = (message: string) =>
  console.error(`[layout] ${new Date().toISOString().slice(11, 19)} ${message}`);

async function committed(kafka: Kafka, group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

async function measure(layout: "one process" | "two processes") {
  const prefix = `bench-${runId}-${layout === "one process" ? "one" : "two"}.`;
  const env = {
    ...stack,
    TOPIC_PREFIX: prefix,
    MONGODB_DB: `whatsapp_bench_${runId}_${layout === "one process" ? "one" : "two"}`,
    LOG_LEVEL: "warn",
  };
  await preload(
    prefix,
    "messageStatus",
    statusBacklog(events, runId).map((e) => ({ key: e.wamid, value: e as unknown })),
  );
  await preload(
    prefix,
    "inboundMessage",
    inboundBacklog(events, runId).map((e) => ({ key: `${e.phoneNumberId}:${e.from}`, value: e as unknown })),
  );
  const kafka = stackKafka("bench-projector-layout", { KAFKA_BROKERS: stack.KAFKA_BROKERS });
  const groups = [
    [`${prefix}whatsapp-status-projector`, `${prefix}${topicContracts.messageStatus.name}`],
    [`${prefix}whatsapp-conversation-projector`, `${prefix}${topicContracts.inboundMessage.name}`],
  ] as const;
  const processes: ServiceProcess[] =
    layout === "one process"
      ? [
          await startServiceProcess(
            "projector",
            entry,
            { ...env, PROJECTIONS: "status,conversation" },
            120_000,
          ),
        ]
      : [
          await startServiceProcess("status-projector", entry, { ...env, PROJECTIONS: "status" }, 120_000),
          await startServiceProcess(
            "conversation-projector",
            entry,
            { ...env, PROJECTIONS: "conversation" },
            120_000,
          ),
        ];
  const pids = Object.fromEntries(processes.map((p, i) => [`projector_${i}`, p.child.pid]));
  const before = cpuSnapshot(pids);
  const started = Date.now();
  let peakRss = 0;
  try {
    for (;;) {
      peakRss = Math.max(
        peakRss,
        (await Promise.all(processes.map(rssMegabytes))).reduce((a, b) => a + b, 0),
      );
      const done = await Promise.all(groups.map(([group, topic]) => committed(kafka, group, topic)));
      if (done.every((count) => count >= events)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    const cpu = cpuBetween(before, cpuSnapshot(pids));
    const seconds = (Date.now() - started) / 1000;
    const ours = [...cpu]
      .filter(([name]) => name.startsWith("projector_"))
      .reduce((sum, [, s]) => sum + s, 0);
    const store = (cpu.get("ferretdb") ?? 0) + (cpu.get("postgres") ?? 0);
    console.log(
      `${layout}: ${seconds.toFixed(1)} s for ${events} + ${events} events; peak RSS ${peakRss.toFixed(0)} MB; ` +
        `projector CPU ${ours.toFixed(1)} s; FerretDB + PostgreSQL ${store.toFixed(1)} s; Kafka ${(cpu.get("kafka") ?? 0).toFixed(1)} s`,
    );
    await Promise.all(processes.map((p) => p.stop()));
    await removeRunData({
      brokers: stack.KAFKA_BROKERS,
      mongoUri: stack.MONGODB_URI,
      topicPrefix: prefix,
      databasePrefix: env.MONGODB_DB,
    });
  }
}

async function main() {
  log(`${events} status and ${events} inbound events per layout, services from ${entry}`);
  for (const layout of ["two processes", "one process", "two processes", "one process"] as const)
    await measure(layout);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
