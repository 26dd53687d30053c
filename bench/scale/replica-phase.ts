import type { TopicId } from "../../contracts/topics";
import { waitUntilConsumed, type Audit } from "../effects-audit";
import { byStatus, seconds, sleep, verdict, type Verdict } from "../faults/fault-scenario";
import { loadAverage } from "../process-cpu";
import { metricTotal, scrapeMetrics } from "../projector-health";
import type { ProjectorName } from "../service-code";
import { processRuns } from "../stack-faults";
import { stackKafka } from "../../tests/support/stack-clients";
import { auditLine, auditSteadyLoad } from "../steady-load";
import { groupText, waitForGroup } from "./consumer-groups";
import type { Backend } from "./round-robin-proxy";
import { projectorNames, type ScaleRun } from "./scale-run";

const part = "replicas";
const replicasAtStart = 3;
const ingressCount = 2;
/** Steady load between two steps, so each rebalance happens under it. */
const betweenStepsMs = 5000;
/** Longest wait for a group to settle: a member killed without leaving stays until its session times out (30 s). */
const settleTimeoutMs = 60_000;

type Members = Record<ProjectorName, number>;

/** One action on the running services, with what it checks besides the audit. */
interface ReplicaStep {
  name: string;
  checks: string;
  act: (run: ScaleRun) => Promise<Verdict>;
}

/** Runs `action`, unless the run is sabotaged with skip-actions: each step's own checks must then fail. */
async function perform<T>(run: ScaleRun, what: string, action: () => Promise<T>): Promise<T | undefined> {
  if (run.sabotage.has("skip-actions")) {
    run.log(`sabotage: skipping: ${what}`);
    return undefined;
  }
  run.log(what);
  return action();
}

const liveCounts = (run: ScaleRun, change: number): Members => ({
  status: run.live("status").length + change,
  conversation: run.live("conversation").length + change,
});

/** Each projection's group settled with the given members: a note per group, a failure per group that did not. */
async function expectGroups(run: ScaleRun, members: Members, check: ReturnType<typeof verdict>) {
  await Promise.all(
    projectorNames.map(async (projection) => {
      const group = run.group(part, projection);
      const { settled, ms, state } = await waitForGroup(
        run.admin,
        group,
        members[projection],
        settleTimeoutMs,
      );
      check.notes.push(`${projection} group ${groupText(state)}, ${seconds(ms)} after`);
      check.expect(
        settled,
        `the ${projection} group did not settle with ${members[projection]} members within ${seconds(settleTimeoutMs)}: ${groupText(state)}`,
      );
    }),
  );
}

/** A replica of each projection added; the groups must rebalance to one member more. */
const addReplicas = (name: string): ReplicaStep => ({
  name,
  checks: "each group rebalanced to one member more, every partition held once",
  act: async (run) => {
    const check = verdict();
    const expected = liveCounts(run, 1);
    await perform(run, "adding a replica of each projection", () =>
      Promise.all(projectorNames.map((projection) => run.addReplica(projection, run.env(part)))),
    );
    await expectGroups(run, expected, check);
    return check;
  },
});

/** The oldest live replica of each projection, stopped by `signal`; the groups must rebalance to one member less. */
const removeReplicas = (signal: "SIGKILL" | "SIGTERM"): ReplicaStep => ({
  name: `a replica of each projection ${signal === "SIGKILL" ? "killed (SIGKILL)" : "stopped (SIGTERM)"}`,
  checks:
    signal === "SIGKILL"
      ? "its process gone; each group rebalanced to one member less once the member's session timed out"
      : "it exited 0, leaving its group; each group rebalanced to one member less",
  act: async (run) => {
    const check = verdict();
    const expected = liveCounts(run, -1);
    const victims = projectorNames.map((projection) => run.live(projection)[0]!);
    const names = victims.map((victim) => `${victim.name} (pid ${victim.process.child.pid})`).join(", ");
    const exits = await perform(run, `${signal} ${names}`, async () => {
      if (signal === "SIGTERM") return Promise.all(victims.map((victim) => victim.process.stop()));
      await Promise.all(victims.map((victim) => victim.process.kill()));
      if (run.sabotage.has("drop-records")) await dropUnappliedRecords(run);
      return [];
    });
    await sleep(1000);
    for (const victim of victims)
      check.expect(
        !processRuns(victim.process.child.pid!),
        `${victim.name} (pid ${victim.process.child.pid}) still ran after ${signal}: the action did not happen`,
      );
    if (signal === "SIGTERM")
      check.expect(
        exits?.every((code) => code === 0) === true,
        `not every replica exited 0 on SIGTERM: ${exits?.join(", ") ?? "none stopped"}`,
      );
    await expectGroups(run, expected, check);
    return check;
  },
});

/** Connections a backend accepted. */
const served = (backend: Backend) => backend.connections - backend.refused;

const ingressKilled: ReplicaStep = {
  name: "an ingress killed (SIGKILL) and started again",
  checks:
    "its process gone, the proxy found its port closed while the other took the load, the restarted one got connections again",
  act: async (run) => {
    const victim = run.ingresses[1]!;
    const backend = run.proxy.backends[1]!;
    const other = run.proxy.backends[0]!;
    const from = Date.now();
    const [refusedBefore, otherBefore] = [backend.refused, served(other)];
    await perform(run, `SIGKILL ${victim.name} (pid ${victim.child.pid})`, () => victim.kill());
    await sleep(1000);
    const gone = !processRuns(victim.child.pid!);
    await sleep(4000);
    await perform(run, `starting ${victim.name} again on port ${victim.port}`, () =>
      run.restartIngress(part, 1),
    );
    const restarted = Date.now();
    const [refusedWhileDown, otherWhileDown, servedAtRestart] = [
      backend.refused - refusedBefore,
      served(other) - otherBefore,
      served(backend),
    ];
    await sleep(10_000);
    const servedAfter = served(backend) - servedAtRestart;
    const during = run.load.tracked.flatMap((t) =>
      t.attempts.filter((a) => a.startedAt >= from && a.startedAt < restarted),
    );
    const check = verdict([
      `${victim.name} down ${seconds(restarted - from)}; answers meanwhile: ${byStatus(during)}`,
      `the proxy: ${refusedWhileDown} connections refused by it, ${otherWhileDown} to ${other.name} meanwhile, ${servedAfter} to it in the 10 s after its restart`,
    ]);
    check.expect(gone, `${victim.name} still ran after SIGKILL: the action did not happen`);
    check.expect(refusedWhileDown > 0, `the proxy found ${victim.name}'s port open while it was down`);
    check.expect(servedAfter > 0, `the restarted ${victim.name} got no connection in 10 s`);
    return check;
  },
};

/** The steps of the replica phase, in order: every one under the steady load, each a rebalance. */
const steps: readonly ReplicaStep[] = [
  addReplicas("a replica of each projection added"),
  removeReplicas("SIGKILL"),
  removeReplicas("SIGTERM"),
  ingressKilled,
  addReplicas("a replica of each projection added again"),
];

/**
 * Sabotage: deletes every record of the status and inbound topics written so far, applied or not; those
 * the groups had not applied yet are lost, as with a retention shorter than an outage.
 */
async function dropUnappliedRecords(run: ScaleRun): Promise<void> {
  const topics: [ProjectorName, TopicId][] = [
    ["status", "messageStatus"],
    ["conversation", "inboundMessage"],
  ];
  for (const [projection, id] of topics) {
    const topic = run.topic(part, id);
    const ends = await run.admin.fetchTopicOffsets(topic);
    const [committed] = await run.admin.fetchOffsets({
      groupId: run.group(part, projection).id,
      topics: [topic],
    });
    const unapplied = ends.reduce((sum, { partition, high }) => {
      const offset = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      return sum + Number(high) - Math.max(0, offset);
    }, 0);
    await run.admin.deleteTopicRecords({
      topic,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });
    run.log(`sabotage: deleted the records of ${topic}, ${unapplied} of them not yet applied`);
  }
}

/**
 * Sabotage: once the projectors are done, one status of an acknowledged delivery shown twice in its
 * timeline and one conversation counting one message more, as a replica applying an event again would.
 */
async function applyTwice(run: ScaleRun): Promise<void> {
  await run.load.drain();
  const kafka = stackKafka("bench-scale-replicas", { KAFKA_BROKERS: run.stack.KAFKA_BROKERS });
  await waitUntilConsumed(kafka, run.group(part, "status").id, run.topic(part, "messageStatus"), 600_000);
  await waitUntilConsumed(
    kafka,
    run.group(part, "conversation").id,
    run.topic(part, "inboundMessage"),
    600_000,
  );
  const acknowledged = run.load.tracked.filter((t) => t.acknowledged).map((t) => t.delivery.effects);
  const status = acknowledged.flatMap((effects) => effects.statuses)[0]!;
  const inbound = acknowledged.flatMap((effects) => effects.inbound)[0]!;
  const db = run.db(part);
  const statuses = db.collection<{ _id: string; timeline: unknown[] }>("message_statuses");
  const stored = await statuses.findOne({ _id: status.wamid });
  await statuses.updateOne({ _id: status.wamid }, { $push: { timeline: stored!.timeline[0] } });
  await db
    .collection<{ _id: string }>("conversations")
    .updateOne({ _id: inbound.conversationId }, { $inc: { messageCount: 1 } });
  run.log(
    `sabotage: ${status.wamid}'s first status twice, ${inbound.conversationId} counts one message more`,
  );
}

export interface ReplicaPhaseResult {
  loadAverage: string;
  /** Deliveries the load sent per second, retries left out. */
  sentPerSecond: number;
  steps: { name: string; checks: string; verdict: Verdict }[];
  audit: Audit;
  /** What each live replica applied, and skipped as already applied. */
  replicas: string[];
  failures: string[];
}

/**
 * Two ingresses behind the proxy and three replicas of each projector under the steady signed load;
 * the steps add, kill and stop replicas and kill an ingress; then the audit of every delivery.
 */
export async function replicaPhase(run: ScaleRun): Promise<ReplicaPhaseResult> {
  const load = loadAverage();
  run.log(
    `replicas: load average ${load}; topics ${run.env(part).TOPIC_PREFIX}* (${run.partitions} partitions)`,
  );
  await run.startIngresses(part, ingressCount);
  for (const projection of projectorNames)
    for (let i = 0; i < replicasAtStart; i++) await run.addReplica(projection, run.env(part));
  const start = verdict();
  await expectGroups(run, { status: replicasAtStart, conversation: replicasAtStart }, start);
  run.log(`replicas: ${start.notes.join("; ")}`);
  run.load.start(run.steady, run.rate);
  const loadFrom = Date.now();
  await sleep(betweenStepsMs);
  const results: ReplicaPhaseResult["steps"] = [
    {
      name: `${replicasAtStart} replicas of each projector, ${ingressCount} ingresses`,
      checks: "each group settled",
      verdict: start,
    },
  ];
  for (const step of steps) {
    const stepVerdict = await step.act(run);
    run.log(`${step.name}: ${stepVerdict.notes.join("; ")}`);
    for (const failure of stepVerdict.failures) run.log(`  ! ${failure}`);
    results.push({ name: step.name, checks: step.checks, verdict: stepVerdict });
    await sleep(betweenStepsMs);
  }
  // What the load reached: a starved load generator sends fewer than asked for.
  const sentPerSecond = run.load.tracked.length / ((Date.now() - loadFrom) / 1000);
  if (run.sabotage.has("double-effects")) await applyTwice(run);
  const audit = await auditSteadyLoad({
    label: "replicas",
    load: run.load,
    refusedRequestIds: [],
    topicPrefix: run.env(part).TOPIC_PREFIX!,
    groups: { status: run.group(part, "status").id, conversation: run.group(part, "conversation").id },
    db: run.db(part),
    log: run.log,
  });
  if (run.crashes.length) audit.details.push(`services exited unasked: ${run.crashes.join(", ")}`);
  const replicas = await Promise.all(
    projectorNames.flatMap((projection) =>
      run.live(projection).map(async ({ name, process }) => {
        const metrics = await scrapeMetrics(process.operationsUrl);
        return `${name} ${metricTotal(metrics, "whatsapp_projector_events_applied_total")} (${metricTotal(metrics, "whatsapp_projector_duplicates_skipped_total")} skipped)`;
      }),
    ),
  );
  run.log(`replicas: ${auditLine(audit)}`);
  await run.stopServices();
  return {
    loadAverage: load,
    sentPerSecond,
    steps: results,
    audit,
    replicas,
    failures: [...results.flatMap((r) => r.verdict.failures), ...audit.details],
  };
}
