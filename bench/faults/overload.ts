import path from "node:path";
import { topicName } from "../../contracts/topics";
import { readTopic } from "../../tests/support/kafka-records";
import { startServiceProcess, type ServiceProcess } from "../../tests/support/service-process";
import { webhookPath } from "../http-load";
import { cpuBetween, cpuSnapshot, loadAverage, machineCpu } from "../process-cpu";
import { scrapeMetrics } from "../projector-health";
import { serviceCode } from "../service-code";
import { startSignedFlood, type SignedFlood } from "../signed-flood";
import type { RequestOutcome, SenderReport } from "../signed-flood-senders";
import { residentMiB } from "../unsigned-flood";
import { scenario, sleep, verdict } from "./fault-scenario";
import type { FaultRun } from "./fault-run";

const normalConnections = 64;
const floodConnections = 1500;
const phaseMs = 15_000;
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
}

interface OverloadEvidence {
  normal: Phase;
  flood: Phase;
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
  flood.run(connections, label);
  const from = Date.now();
  let peak = 0;
  while (Date.now() - from < phaseMs) {
    await sleep(250);
    peak = Math.max(peak, residentMiB(ingress.child.pid!) || 0);
  }
  const cpu = cpuBetween(cpuBefore, cpuSnapshot(processes));
  const machine = machineCpu();
  const [busy, idle] = [machine.busy - machineBefore.busy, machine.idle - machineBefore.idle];
  return {
    from,
    to: Date.now(),
    peakResidentMB: megabytes(peak),
    loadAverage: loadAverage(),
    ingressCpuSeconds: cpu.get("ingress") ?? NaN,
    sendersCpuSeconds: cpu.get("senders") ?? NaN,
    machineIdle: idle / (busy + idle),
  };
}

/** Refusals by bound, from `whatsapp_ingress_capacity_refusals_total{limit}`. */
async function refusalsByBound(ingress: ServiceProcess): Promise<Record<string, number>> {
  const series = (await scrapeMetrics(ingress.operationsUrl)).get("whatsapp_ingress_capacity_refusals_total");
  const byBound: Record<string, number> = {};
  for (const [labels, value] of series ?? []) {
    const limit = /limit="([^"]+)"/.exec(labels)?.[1];
    if (limit) byBound[limit] = value;
  }
  return byBound;
}

/** Every request id answered 200 looked up in the raw topic, and every refused one. */
async function auditRawTopic(prefix: string, outcomes: readonly RequestOutcome[]) {
  const acknowledged = outcomes.filter((o) => o.outcome === "200").map((o) => o.requestId!);
  const refused = outcomes.flatMap((o) => (o.outcome !== "200" && o.requestId ? [o.requestId] : []));
  const raw = await readTopic<{ requestId: string }>(
    topicName("rawWebhook", prefix),
    (records) => {
      const read = new Set(records.map((record) => record.value.requestId));
      return acknowledged.every((id) => read.has(id));
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
 * events) under 64 keep-alive connections for 5 s of warm-up and 15 s, then 1,500 for 15 s, each POSTing deliveries of 100
 * statuses (about 32 KB) in a closed loop and honouring Retry-After.
 */
export const overload = scenario({
  id: 10,
  name: "signed flood",
  checks: `${normalConnections} then ${floodConnections.toLocaleString("en")} connections of signed 100-status deliveries on an ingress of its own: the flood reached ${floodConnections.toLocaleString("en")} connections and some requests were refused; 200/s during >= 90% of before; every request answered 200 or 503 with Retry-After (no reset, no timeout); VmRSS under ${memoryBoundMB} MB; every 200 in its raw topic and no refused one`,
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
      `scenario 10: ${normalConnections} connections for ${phaseMs / 1000} s, then ${floodConnections}, deliveries of ${flood.bodyBytes} bytes; load ${loadAverage()}`,
    );
    flood.run(normalConnections, "warm-up");
    await sleep(warmUpMs);
    const normal = await runPhase(flood, ingress, normalConnections, "normal");
    const flooded = await run.inject(`${floodConnections} connections`, async () => true);
    const floodPhase = await runPhase(
      flood,
      ingress,
      flooded ? floodConnections : normalConnections,
      "flood",
    );
    run.log("scenario 10: flood stopped; waiting for the answers still due");
    const report = await flood.stop();
    const refusals = await refusalsByBound(ingress);
    await ingress.stop();
    run.cleanUp = undefined;
    run.log("scenario 10: reading the flood's raw topic");
    const audit = await auditRawTopic(prefix, report.outcomes);
    return { normal, flood: floodPhase, flooded: flooded === true, report, refusals, ...audit };
  },
  async verify(_run, evidence) {
    const { normal, flood, report, refusals } = evidence;
    const answered200 = ({ from, to }: Phase) =>
      report.outcomes.filter((o) => o.outcome === "200" && o.endedAt >= from && o.endedAt < to).length;
    const perSecond = (phase: Phase) => answered200(phase) / ((phase.to - phase.from) / 1000);
    const [before, during] = [perSecond(normal), perSecond(flood)];
    const perCpuSecond = (phase: Phase) => (answered200(phase) / phase.ingressCpuSeconds).toFixed(0);
    const byOutcome = new Map<string, number>();
    for (const { outcome } of report.outcomes) byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    const unanswered = [...byOutcome].filter(
      ([outcome]) => !answered.has(outcome as RequestOutcome["outcome"]),
    );
    const refused = byOutcome.get("503 with Retry-After") ?? 0;
    const acknowledged = byOutcome.get("200") ?? 0;
    const list = (counts: Iterable<[string, number]>) =>
      [...counts].map(([what, n]) => `${n} x ${what}`).join(", ") || "none";
    const check = verdict([
      `200/s with ${normalConnections} connections ${before.toFixed(1)}, with ${floodConnections} ${during.toFixed(1)} (${(during / before).toFixed(2)} of before); load average ${normal.loadAverage} and ${flood.loadAverage}`,
      `answers: ${list([...byOutcome].sort(([a], [b]) => a.localeCompare(b)))}; peak open connections ${report.peakOpenConnections}; refused by bound: ${list(Object.entries(refusals))}`,
      `flood ingress VmRSS peak ${normal.peakResidentMB} MB before, ${flood.peakResidentMB} MB during the flood`,
      `CPU with ${normalConnections} and ${floodConnections} connections: flood ingress ${normal.ingressCpuSeconds.toFixed(1)} s and ${flood.ingressCpuSeconds.toFixed(1)} s (200s per CPU second ${perCpuSecond(normal)} and ${perCpuSecond(flood)}), senders ${normal.sendersCpuSeconds.toFixed(1)} s and ${flood.sendersCpuSeconds.toFixed(1)} s, machine idle ${(100 * normal.machineIdle).toFixed(0)}% and ${(100 * flood.machineIdle).toFixed(0)}%`,
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
      Math.max(normal.peakResidentMB, flood.peakResidentMB) < memoryBoundMB,
      `the flood's ingress reached ${flood.peakResidentMB} MB resident`,
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
