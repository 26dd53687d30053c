import { ensureTopics } from "../../contracts/topic-admin";
import type { TopicId } from "../../contracts/topics";
import { seconds, sleep } from "../faults/fault-scenario";
import { isRunning } from "../faults/fault-run";
import { cpuBetween, cpuSnapshot, loadAverage, machineCpu } from "../process-cpu";
import { committedTotal, inboundBacklog, statusBacklog } from "../projector-rate";
import { EventProducer } from "../../tests/support/event-producer";
import type { ProjectorName } from "../service-code";
import { groupText, waitForGroup } from "./consumer-groups";
import { projectionTopics, type ScaleRun } from "./scale-run";

const drainTimeoutMs = 300_000;
/** How long the store's CPU is measured with the replicas idle, before the backlog is written. */
const baselineMs = 5000;

/** FerretDB's and PostgreSQL's CPU over `ms`, in cores. */
async function storeCoresFor(ms: number, pids: Record<string, number | undefined>): Promise<number> {
  const before = cpuSnapshot(pids);
  await sleep(ms);
  const used = cpuBetween(before, cpuSnapshot(pids));
  return ((used.get("ferretdb") ?? 0) + (used.get("postgres") ?? 0)) / (ms / 1000);
}

/** The topic each projection's backlog is written to, and the backlog. */
const backlogs: Record<
  ProjectorName,
  { topic: TopicId; events: (count: number, runId: string) => { key: string; value: unknown }[] }
> = {
  status: {
    topic: "messageStatus",
    events: (count, runId) => statusBacklog(count, runId).map((e) => ({ key: e.wamid, value: e })),
  },
  conversation: {
    topic: "inboundMessage",
    events: (count, runId) =>
      inboundBacklog(count, runId).map((e) => ({ key: `${e.phoneNumberId}:${e.from}`, value: e })),
  },
};

/** Where the CPU went during a drain, in cores (CPU seconds per second of the drain). */
export interface CoresUsed {
  /** The replicas draining. */
  replicas: number;
  ferretdb: number;
  postgres: number;
  kafka: number;
  /** The schema registry, Jaeger and this process (polling the group's offsets). */
  restOfStack: number;
  /** Everything else on the machine: other people's processes. */
  others: number;
  idle: number;
}

export interface Drain {
  projection: ProjectorName;
  replicas: number;
  loadAverage: string;
  /** FerretDB + PostgreSQL, in cores, in the seconds before the backlog: other people's use of the shared store. */
  storeIdle: number;
  /** From the first replica's start until the group was Stable with every replica in it. */
  settleSeconds: number;
  /** The backlog, and how long from its writing until the group's lag was zero. */
  events: number;
  seconds: number;
  eventsPerSecond: number;
  cores: CoresUsed;
}

/**
 * The same backlog of each projection drained by 1, 2 and 3 replicas in turn, each time on topics and
 * into a database of its own: the replicas start on the empty topics, and once their group is Stable
 * with all of them in it the backlog (encoded beforehand) is written at once; timed from then until the
 * group's committed offsets reach its end, with where the machine's CPU went meanwhile (from /proc).
 */
export async function drainPhase(
  run: ScaleRun,
  replicaCounts: readonly number[],
  events: number,
): Promise<{ drains: Drain[]; failures: string[] }> {
  const drains: Drain[] = [];
  const failures: string[] = [];
  for (const projection of Object.keys(backlogs) as ProjectorName[])
    for (const replicas of replicaCounts) {
      try {
        const drain = await drainOnce(run, projection, replicas, events);
        drains.push(drain);
        run.log(`drain: ${drainLine(drain)}`);
      } catch (error) {
        failures.push(`${projection} with ${replicas} replicas: ${(error as Error).message}`);
        run.log(`drain: ${failures.at(-1)}`);
      }
    }
  return { drains, failures };
}

async function drainOnce(
  run: ScaleRun,
  projection: ProjectorName,
  replicaCount: number,
  events: number,
): Promise<Drain> {
  const part = `drain_k${replicaCount}_${projection}`;
  const env: Record<string, string> = { ...run.env(part), LOG_LEVEL: "warn" };
  const backlog = backlogs[projection];
  const topic = run.topic(part, backlog.topic);
  const group = run.group(part, projection);
  // A client of its own: kafkajs keeps asking about topics it once saw, and a drain deletes its own at the end.
  const admin = run.kafka.admin();
  await admin.connect();
  // Every topic the replicas read, created before they start, so that none creates one with another count.
  await ensureTopics(
    admin,
    [...projectionTopics[projection], "deadLetter"],
    env.TOPIC_PREFIX!,
    run.partitions,
  );
  const producer = new EventProducer(env.TOPIC_PREFIX!);
  await producer.connect([backlog.topic]);
  const messages = await Promise.all(
    backlog.events(events, run.runId).map(async ({ key, value }) => ({
      key,
      value: await producer.serde.encode(backlog.topic, value),
    })),
  );
  const load = loadAverage();
  const started = Date.now();
  const replicas = await Promise.all(
    Array.from({ length: replicaCount }, () => run.addReplica(projection, env, `${part}-`)),
  );
  try {
    const { settled, state } = await waitForGroup(admin, group, replicaCount, 60_000);
    if (!settled)
      throw new Error(`the group did not settle with ${replicaCount} members: ${groupText(state)}`);
    const pids = Object.fromEntries(replicas.map((r) => [r.name, r.process.child.pid]));
    const storeIdle = await storeCoresFor(baselineMs, pids);
    const from = Date.now();
    const cpuBefore = cpuSnapshot(pids);
    const machineBefore = machineCpu();
    for (let i = 0; i < messages.length; i += 1000)
      await producer.sendRaw(backlog.topic, messages.slice(i, i + 1000));
    for (;;) {
      if ((await committedTotal(admin, group.id, topic)) >= events) break;
      const dead = replicas.filter((r) => !isRunning(r.process));
      if (dead.length) throw new Error(`${dead.map((r) => r.name).join(", ")} exited while draining`);
      if (Date.now() - from > drainTimeoutMs)
        throw new Error(`not drained within ${seconds(drainTimeoutMs)}`);
      await sleep(250);
    }
    const wall = (Date.now() - from) / 1000;
    const cpu = cpuBetween(cpuBefore, cpuSnapshot(pids));
    const machineAfter = machineCpu();
    const cores = (name: string) => (cpu.get(name) ?? 0) / wall;
    const used: CoresUsed = {
      replicas: replicas.reduce((sum, r) => sum + cores(r.name), 0),
      ferretdb: cores("ferretdb"),
      postgres: cores("postgres"),
      kafka: cores("kafka"),
      restOfStack: cores("schema_registry") + cores("jaeger") + cores("load_generator"),
      others: 0,
      idle: (machineAfter.idle - machineBefore.idle) / wall,
    };
    const ours = used.replicas + used.ferretdb + used.postgres + used.kafka + used.restOfStack;
    used.others = Math.max(0, (machineAfter.busy - machineBefore.busy) / wall - ours);
    return {
      projection,
      replicas: replicaCount,
      loadAverage: load,
      storeIdle,
      settleSeconds: (from - started) / 1000,
      events,
      seconds: wall,
      eventsPerSecond: events / wall,
      cores: used,
    };
  } finally {
    await Promise.all(replicas.map((r) => r.process.stop()));
    await producer.disconnect();
    await admin.disconnect();
    await run.removeData(part);
  }
}

const cores = (n: number) => n.toFixed(2);
/** CPU seconds per 1,000 events applied: what a drain cost, however much of the machine others took. */
const perThousand = (d: Drain, used: number) => ((used * d.seconds * 1000) / d.events).toFixed(2);

/** "status, 2 replicas: 2,310 events/s, 28,100 events in 12.2 s (group settled 3.1 s after the start); cores: ..." */
export const drainLine = (d: Drain): string =>
  `${d.projection}, ${d.replicas} replica${d.replicas === 1 ? "" : "s"}: ${Math.round(d.eventsPerSecond).toLocaleString("en-US")} events/s, ` +
  `${d.events} events in ${d.seconds.toFixed(1)} s (group settled ${d.settleSeconds.toFixed(1)} s after the start, before the backlog was written); ` +
  `cores: replicas ${cores(d.cores.replicas)}, FerretDB ${cores(d.cores.ferretdb)}, PostgreSQL ${cores(d.cores.postgres)}, ` +
  `Kafka ${cores(d.cores.kafka)}, rest of stack and bench ${cores(d.cores.restOfStack)}, others ${cores(d.cores.others)}, idle ${cores(d.cores.idle)}; ` +
  `CPU s per 1,000 events: replicas ${perThousand(d, d.cores.replicas)}, FerretDB + PostgreSQL ${perThousand(d, d.cores.ferretdb + d.cores.postgres)} ` +
  `(${perThousand(d, Math.max(0, d.cores.ferretdb + d.cores.postgres - d.storeIdle))} above the ${cores(d.storeIdle)} cores they used before the backlog); ` +
  `load average before ${d.loadAverage}`;
