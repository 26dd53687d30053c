import path from "node:path";
import { topicName } from "../../contracts/topics";
import { readTopic } from "../../tests/support/kafka-records";
import { startServiceProcess, type ServiceProcess } from "../../tests/support/service-process";
import { webhookPath } from "../http-load";
import { refusalsByBound } from "../ingress-refusals";
import { cpuBetween, cpuSnapshot, loadAverage, machineCpu } from "../process-cpu";
import { metricByLabel, metricGrowth, scrapeMetrics } from "../projector-health";
import { serviceCode } from "../service-code";
import { startSignedFlood, type SignedFlood } from "../signed-flood";
import type { RequestOutcome, SenderReport } from "../signed-flood-senders";
import { residentMiB } from "../unsigned-flood";
import { scenario, sleep, verdict } from "./fault-scenario";
import type { FaultRun } from "./fault-run";

const normalConnections = 64;
const floodConnections = 1500;
/**
 * Normal and flood phases alternate this many times and the row compares their sums: a machine that
 * slows down or speeds up during the row (other processes, the broker's log) weighs on both sides.
 */
const cycles = 3;
const phaseMs = 10_000;
/** The normal connections run this long before the normal phase is measured: the ingress's code warms up. */
const warmUpMs = 5_000;
/** Longest a sender waits for an answer before it counts the request as never answered. */
const answerTimeoutMs = 30_000;
const memoryBoundMB = 512;
const answered = new Set<RequestOutcome["outcome"]>(["200", "503 with Retry-After"]);

interface Phase {
  from: number;
  to: number;
  peakResidentMB: number;
  loadAverage: string;
  /** CPU seconds of the flood's ingress and of the senders, and the machine's idle share, over the phase. */
  ingressCpuSeconds: number;
  sendersCpuSeconds: number;
  machineIdle: number;
  /** Seconds the flood's ingress spent in garbage collection over the phase, by kind (nodejs_gc_duration_seconds). */
  gcSeconds: Record<string, number>;
}

interface OverloadEvidence {
  /** In order: normal[i] ran just before flood[i]. */
  normal: Phase[];
  flood: Phase[];
  /** Whether the 1,500 connections were opened (a sabotaged run keeps the 64). */
  flooded: boolean;
  report: SenderReport;
  /** The flood's ingress's own counts, scraped after the flood: refusals by bound. */
  refusals: Record<string, number>;
  /** Request ids answered 200 missing from the raw topic, and refused ones found in it. */
  notInLog: string[];
  refusedInLog: string[];
}

const megabytes = (mebibytes: number) => Math.round((mebibytes * 2 ** 20) / 1e6);

/** Runs `phase`'s connections for phaseMs, sampling the ingress's VmRSS every 250 ms. */
async function runPhase(
  flood: SignedFlood,
  ingress: ServiceProcess,
  connections: number,
  label: string,
): Promise<Phase> {
  const processes = { ingress: ingress.child.pid, senders: flood.pid };
  const [cpuBefore, machineBefore] = [cpuSnapshot(processes), machineCpu()];
  const gcBefore = await gcSecondsByKind(ingress);
  flood.run(connections, label);
  const from = Date.now();
  let peak = 0;
  while (Date.now() - from < phaseMs) {
    await sleep(250);
    peak = Math.max(peak, residentMiB(ingress.child.pid!) || 0);
  }
  const cpu = cpuBetween(cpuBefore, cpuSnapshot(processes));
  const machine = machineCpu();
  const gcSeconds = metricGrowth(gcBefore, await gcSecondsByKind(ingress));
  const [busy, idle] = [machine.busy - machineBefore.busy, machine.idle - machineBefore.idle];
  return {
    from,
    to: Date.now(),
    peakResidentMB: megabytes(peak),
    loadAverage: loadAverage(),
    ingressCpuSeconds: cpu.get("ingress") ?? NaN,
    sendersCpuSeconds: cpu.get("senders") ?? NaN,
    machineIdle: idle / (busy + idle),
    gcSeconds,
  };
}

/** Seconds in garbage collection so far, by kind (major, minor, incremental, weakcb). */
async function gcSecondsByKind(ingress: ServiceProcess): Promise<Record<string, number>> {
  const metrics = await scrapeMetrics(ingress.operationsUrl);
  return metricByLabel(metrics, "nodejs_gc_duration_seconds_sum", "kind");
}

/** Every request id answered 200 looked up in the raw topic, and every refused one. */
async function auditRawTopic(prefix: string, outcomes: readonly RequestOutcome[]) {
  const acknowledged = outcomes.filter((o) => o.outcome === "200").map((o) => o.requestId!);
  const refused = outcomes.flatMap((o) => (o.outcome !== "200" && o.requestId ? [o.requestId] : []));
  // Linear in the records: a set rebuilt per record read took over the timeout for 35,000 of them.
  const unread = new Set(acknowledged);
  let examined = 0;
  const raw = await readTopic<{ requestId: string }>(
    topicName("rawWebhook", prefix),
    (records) => {
      for (; examined < records.length; examined++) unread.delete(records[examined]!.value.requestId);
      return unread.size === 0;
    },
    120_000,
  );
  const logged = new Set(raw.map((record) => record.value.requestId));
  return {
    notInLog: acknowledged.filter((id) => !logged.has(id)),
    refusedInLog: refused.filter((id) => logged.has(id)),
  };
}

/**
 * A flood of signed deliveries, as Meta sends when it retries a backlog at once after an outage: an
 * ingress of its own (topics `<run prefix>overload.`, so the projectors are not fed a million status
 * events): after 5 s of warm-up, 64 keep-alive connections for 10 s then 1,500 for 10 s, three times,
 * each POSTing deliveries of 100 statuses (about 32 KB) in a closed loop and honouring Retry-After.
 */
export const overload = scenario({
  id: 10,
  name: "signed flood",
  checks: `${normalConnections} then ${floodConnections.toLocaleString("en")} connections, ${cycles} times, of signed 100-status deliveries on an ingress of its own: the flood reached ${floodConnections.toLocaleString("en")} connections and some requests were refused; 200/s during >= 90% of before; every request answered 200 or 503 with Retry-After (no reset, no timeout); VmRSS under ${memoryBoundMB} MB; every 200 in its raw topic and no refused one`,
  // The run's steady load waits: its CPU would count against the flood's ingress in one phase or the other.
  load: { rateFactor: 0, warmUpMs: 0 },
  async fault(run: FaultRun): Promise<OverloadEvidence> {
    // Also the run's warm-up load, when this row comes first.
    run.load.stopSending();
    const prefix = `${run.env.TOPIC_PREFIX}overload.`;
    const code = serviceCode();
    const ingress = await startServiceProcess(
      "overload-ingress",
      code.ingress.entry,
      { ...run.env, ...code.ingress.env, TOPIC_PREFIX: prefix },
      180_000,
      path.resolve(__dirname, `../../.stack/logs/faults-${run.runId}-overload-ingress.log`),
    );
    const flood = await startSignedFlood({
      port: ingress.port,
      path: webhookPath,
      runId: run.runId,
      appSecret: run.appSecret,
      distinctDeliveries: 64,
      pauseAfterFailureMs: 1000,
      answerTimeoutMs,
    });
    run.cleanUp = () => Promise.all([flood.stop(), ingress.kill()]);
    run.log(
      `scenario 10: ${cycles} cycles of ${normalConnections} connections for ${phaseMs / 1000} s, then ${floodConnections}, deliveries of ${flood.bodyBytes} bytes; load ${loadAverage()}`,
    );
    flood.run(normalConnections, "warm-up");
    await sleep(warmUpMs);
    const flooded = await run.inject(`${floodConnections} connections`, async () => true);
    const [normal, floodPhases]: [Phase[], Phase[]] = [[], []];
    for (let cycle = 1; cycle <= cycles; cycle++) {
      normal.push(await runPhase(flood, ingress, normalConnections, `normal ${cycle}`));
      const connections = flooded ? floodConnections : normalConnections;
      floodPhases.push(await runPhase(flood, ingress, connections, `flood ${cycle}`));
    }
    run.log("scenario 10: flood stopped; waiting for the answers still due");
    const report = await flood.stop();
    const refusals = await refusalsByBound(ingress);
    await ingress.stop();
    run.cleanUp = undefined;
    run.log("scenario 10: reading the flood's raw topic");
    const audit = await auditRawTopic(prefix, report.outcomes);
    return { normal, flood: floodPhases, flooded: flooded === true, report, refusals, ...audit };
  },
  async verify(_run, evidence) {
    const { normal, flood, report, refusals } = evidence;
    const answered200 = ({ from, to }: Phase) =>
      report.outcomes.filter((o) => o.outcome === "200" && o.endedAt >= from && o.endedAt < to).length;
    const seconds = ({ from, to }: Phase) => (to - from) / 1000;
    const sum = (phases: Phase[], of: (phase: Phase) => number) =>
      phases.reduce((total, phase) => total + of(phase), 0);
    const perSecond = (phases: Phase[]) => sum(phases, answered200) / sum(phases, seconds);
    const [before, during] = [perSecond(normal), perSecond(flood)];
    const cycleRatios = flood.map((phase, i) => (perSecond([phase]) / perSecond([normal[i]!])).toFixed(2));
    const cpu = (phases: Phase[]) => sum(phases, (phase) => phase.ingressCpuSeconds);
    const perCpuSecond = (phases: Phase[]) => (sum(phases, answered200) / cpu(phases)).toFixed(0);
    const peakMB = (phases: Phase[]) => Math.max(...phases.map((phase) => phase.peakResidentMB));
    const idle = (phases: Phase[]) => (100 * sum(phases, (phase) => phase.machineIdle)) / phases.length;
    const byOutcome = new Map<string, number>();
    for (const { outcome } of report.outcomes) byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    const unanswered = [...byOutcome].filter(
      ([outcome]) => !answered.has(outcome as RequestOutcome["outcome"]),
    );
    const refused = byOutcome.get("503 with Retry-After") ?? 0;
    const acknowledged = byOutcome.get("200") ?? 0;
    const gcLine = (phases: Phase[]) => {
      const byKind = new Map<string, number>();
      for (const { gcSeconds } of phases)
        for (const [kind, spent] of Object.entries(gcSeconds))
          byKind.set(kind, (byKind.get(kind) ?? 0) + spent);
      return (
        [...byKind]
          .filter(([, spent]) => spent > 0)
          .map(([kind, spent]) => `${kind} ${spent.toFixed(2)} s`)
          .join(", ") || "none"
      );
    };
    const list = (counts: Iterable<[string, number]>) =>
      [...counts].map(([what, n]) => `${n} x ${what}`).join(", ") || "none";
    const check = verdict([
      `200/s with ${normalConnections} connections ${before.toFixed(1)}, with ${floodConnections} ${during.toFixed(1)} (${(during / before).toFixed(2)} of before; ${cycles} cycles of ${phaseMs / 1000} s each, cycle by cycle ${cycleRatios.join(", ")}); load average ${normal[0]!.loadAverage} to ${flood.at(-1)!.loadAverage}`,
      `answers: ${list([...byOutcome].sort(([a], [b]) => a.localeCompare(b)))}; peak open connections ${report.peakOpenConnections}; refused by bound: ${list(Object.entries(refusals))}`,
      `flood ingress VmRSS peak ${peakMB(normal)} MB with ${normalConnections} connections, ${peakMB(flood)} MB with ${floodConnections}`,
      `CPU with ${normalConnections} and ${floodConnections} connections: flood ingress ${cpu(normal).toFixed(1)} s and ${cpu(flood).toFixed(1)} s (200s per CPU second ${perCpuSecond(normal)} and ${perCpuSecond(flood)}), senders ${sum(normal, (phase) => phase.sendersCpuSeconds).toFixed(1)} s and ${sum(flood, (phase) => phase.sendersCpuSeconds).toFixed(1)} s, machine idle ${idle(normal).toFixed(0)}% and ${idle(flood).toFixed(0)}%; in garbage collection ${gcLine(normal)} and ${gcLine(flood)}`,
      `${acknowledged - evidence.notInLog.length}/${acknowledged} answered 200 in the raw topic, ${evidence.refusedInLog.length} refused in it`,
    ]);
    check.expect(
      evidence.flooded && report.peakOpenConnections >= floodConnections,
      `the flood reached ${report.peakOpenConnections} connections, not ${floodConnections}: the fault did not happen`,
    );
    check.expect(refused > 0, "no request was refused: the flood did not take the ingress over a bound");
    check.expect(
      during >= 0.9 * before,
      `200/s fell to ${during.toFixed(1)} from ${before.toFixed(1)} under the flood`,
    );
    check.expect(
      unanswered.length === 0,
      `requests without an answer 200 or 503 with Retry-After: ${list(unanswered)}`,
    );
    check.expect(
      Math.max(peakMB(normal), peakMB(flood)) < memoryBoundMB,
      `the flood's ingress reached ${Math.max(peakMB(normal), peakMB(flood))} MB resident`,
    );
    check.expect(
      evidence.notInLog.length === 0,
      `${evidence.notInLog.length} requests answered 200 are not in the raw topic (${evidence.notInLog.slice(0, 3).join(", ")})`,
    );
    check.expect(
      evidence.refusedInLog.length === 0,
      `${evidence.refusedInLog.length} refused requests are in the raw topic`,
    );
    return check;
  },
});
