import { MongoClient, type Db } from "mongodb";
import { startServiceProcess, type ServiceProcess } from "../../tests/support/service-process";
import type { BenchRun } from "../bench-run";
import { capacitySteps, measureCapacity, type Capacity } from "../capacity";
import { measureEndToEnd, type EndToEndLatency } from "../end-to-end-latency";
import {
  eventAgeHistogram,
  measurePipelineWindow,
  type Pipeline,
  type WindowFigures,
} from "../pipeline-window";
import { cpuPerThousandDeliveries } from "../process-cpu";
import { rssMegabytes } from "../projector-rate";
import type { ProjectorName } from "../service-code";
import { pausesBetween } from "../service-pauses";
import type { Phase, PhaseResult, Row } from "./phase";
import { fixed as f, pausesText, verdict } from "./text";

const e2eRate = 200;
const e2eLowRate = 10;
/** At 200/s every 50th delivery is also looked up (120 in 30 s): a cross-check light enough not to
 * disturb the freshness histograms it checks (see bench/end-to-end-latency.ts). */
const e2eSampleEvery = Number(process.env.BENCH_E2E_SAMPLE_EVERY ?? 50);
const e2eP99LimitMs = 500;

interface PipelineFigures {
  /** 20 s at 10/s, timed by lookups. */
  e2eLow: EndToEndLatency;
  /** The timed window at 200/s. */
  e2e: WindowFigures;
  /** Undefined with `BENCH_CAPACITY=0`. */
  capacity: Capacity | undefined;
  /** Resident megabytes at the 10/s steady state. */
  rss: { ingress: number; status: number; conversation: number };
}

/**
 * End to end at a fixed moderate rate with the three services running, their memory at that steady
 * state, then on the same services the capacity steps. Run first, on a quiet stack: after the
 * saturating phases the broker deletes their segments and PostgreSQL checkpoints and vacuums behind
 * them, and that work, not the pipeline, would set the tail.
 */
export const pipelinePhase: Phase = {
  name: "end to end, capacity and memory",
  run: async (run) => {
    const figures = await measurePipeline(run);
    const targets = pipelineTargets(figures.e2e);
    return { rows: pipelineRows(figures, targets), json: pipelineJson(figures), targets: targets.byName };
  },
};

async function measurePipeline(run: BenchRun): Promise<PipelineFigures> {
  const env = run.serviceEnv("e2e");
  const pipeline = await startPipeline(run, env);
  const services = [pipeline.ingress, pipeline.projectors.status, pipeline.projectors.conversation];
  const mongo = new MongoClient(run.stack.MONGODB_URI);
  const db = mongo.db(env.MONGODB_DB);
  const e2eLow = await measureLowRate(run, pipeline.ingress, db);
  const [ingress = 0, status = 0, conversation = 0] = await Promise.all(services.map(rssMegabytes));
  const e2e = await measureAtRate(run, pipeline, db);
  const capacity =
    process.env.BENCH_CAPACITY === "0"
      ? undefined
      : await measureCapacity({
          pipeline,
          db,
          steps: capacitySteps(),
          deliveries: (count, seed) => run.signedMix(count, 1, seed),
          sampleEvery: e2eSampleEvery,
          p99LimitMs: e2eP99LimitMs,
          log: run.log,
        });
  await Promise.all(services.map((s) => s.stop()));
  await mongo.close();
  await run.removeBenchData("e2e");
  return { e2eLow, e2e, capacity, rss: { ingress, status, conversation } };
}

async function startPipeline(run: BenchRun, env: Record<string, string>): Promise<Pipeline> {
  const start = (name: string, service: { entry: string; env: Record<string, string> }) =>
    startServiceProcess(name, service.entry, { ...env, ...service.env });
  return {
    ingress: await start("ingress", run.code.ingress),
    projectors: {
      status: await start("status-projector", run.code.projectors.status),
      conversation: await start("conversation-projector", run.code.projectors.conversation),
    },
  };
}

/** At 10/s, the steady state the memory figures are read at, after a warm-up (JIT, connections, the
 * consumers' first batches). */
async function measureLowRate(run: BenchRun, ingress: ServiceProcess, db: Db): Promise<EndToEndLatency> {
  const atLowRate = (count: number, seed: string) =>
    measureEndToEnd({
      baseUrl: ingress.baseUrl,
      db,
      deliveries: run.signedMix(count, 1, seed),
      perSecond: e2eLowRate,
      settleMs: 30_000,
    });
  await atLowRate(e2eLowRate * 4, "w");
  const e2eLow = await atLowRate(e2eLowRate * 20, "l");
  run.log(
    `end to end at ${e2eLowRate}/s: p50 ${e2eLow.p50Ms} ms, p99 ${e2eLow.p99Ms} ms, ${e2eLow.notVisible} not visible; slowest ${slowestList(e2eLow)}`,
  );
  return e2eLow;
}

/** 3 s at 200/s untimed (the jump from 10/s: larger fetches, new JIT paths), then 30 s timed; each
 * window ends once the projectors have applied all of it. */
async function measureAtRate(run: BenchRun, pipeline: Pipeline, db: Db): Promise<WindowFigures> {
  const window = (count: number, seed: string) =>
    measurePipelineWindow({
      pipeline,
      db,
      deliveries: run.signedMix(count, 1, seed),
      perSecond: e2eRate,
      sampleEvery: e2eSampleEvery,
      settleMs: 60_000,
    });
  await window(e2eRate * 3, "v");
  const e2e = await window(e2eRate * Math.max(run.seconds, 30), "e");
  run.log(
    `end to end at ${e2eRate}/s: p50 ${e2e.endToEnd.p50Ms} ms, p99 ${e2e.endToEnd.p99Ms} ms (${e2e.endToEnd.source})` +
      `${e2e.caughtUp ? "" : ", projectors not caught up within 60 s"}; lookup sample p50 ${e2e.lookup.p50Ms} ms, ` +
      `p99 ${e2e.lookup.p99Ms} ms, ${e2e.lookup.notVisible} not visible, ${e2e.lookup.refused} refused, ` +
      `slowest ${slowestList(e2e.lookup)}; POST to 200 p50 ${e2e.lookup.ackP50Ms} ms, p99 ${e2e.lookup.ackP99Ms} ms`,
  );
  [pipeline.ingress, pipeline.projectors.status, pipeline.projectors.conversation].forEach((service, i) =>
    run.log(
      `during it, ${service.name}: ${pausesText(pausesBetween(e2e.metricsBefore[i]!, e2e.metricsAfter[i]!))}`,
    ),
  );
  return e2e;
}

/** "1340 ms (sent 20:25:01.123, 100 effects), ..." */
const slowestList = (result: EndToEndLatency) =>
  result.slowest
    .map((s) => `${s.latencyMs} ms (sent ${s.sentAt.toISOString().slice(11, 23)}, ${s.effects} effects)`)
    .join(", ");

function pipelineTargets(e2e: WindowFigures) {
  // Events not applied by the deadline are missing from the histograms: their p99 cannot count as met.
  const e2eMet = e2e.endToEnd.p99Ms < e2eP99LimitMs && e2e.caughtUp;
  const sampleMet = e2e.lookup.p99Ms < e2eP99LimitMs;
  return {
    e2eMet,
    sampleMet,
    byName: {
      [`end-to-end p99 < ${e2eP99LimitMs} ms at ${e2eRate}/s (${e2e.endToEnd.source})`]: e2eMet,
      [`lookup-sample end-to-end p99 < ${e2eP99LimitMs} ms at ${e2eRate}/s`]: sampleMet,
    },
  };
}

function pipelineRows(
  { e2eLow, e2e, capacity, rss }: PipelineFigures,
  { e2eMet, sampleMet }: ReturnType<typeof pipelineTargets>,
): Row[] {
  return [
    [
      `end to end at ${e2eRate} deliveries/s`,
      `p50 ${f(e2e.endToEnd.p50Ms)} ms, p99 ${f(e2e.endToEnd.p99Ms)} ms`,
      `p99 < ${e2eP99LimitMs} ms: ${verdict(e2eMet)}; ` +
        (e2e.endToEnd.source === "histograms"
          ? "record timestamp to MongoDB write, the worse projector"
          : "from the lookup sample: a projector exposes no event-age histogram") +
        (e2e.caughtUp ? "" : "; projectors not caught up within 60 s"),
    ],
    ...(["status", "conversation"] as ProjectorName[]).map((name) => eventAgeRow(name, e2e)),
    [
      "  ingress, POST to 200",
      `p50 ${f(e2e.lookup.ackP50Ms, 1)} ms, p99 ${f(e2e.lookup.ackP99Ms, 1)} ms`,
      e2e.ingressProduce
        ? `of which Kafka produce p50 ${f(e2e.ingressProduce.p50Ms, 1)} ms, p99 ${f(e2e.ingressProduce.p99Ms, 1)} ms`
        : "",
    ],
    [
      `  lookup sample (every ${e2eSampleEvery}th delivery)`,
      `p50 ${f(e2e.lookup.p50Ms)} ms, p99 ${f(e2e.lookup.p99Ms)} ms`,
      `p99 < ${e2eP99LimitMs} ms: ${verdict(sampleMet)}; POST to all documents visible, ` +
        `${e2e.lookup.measured} timed, ${e2e.lookup.notVisible} not visible`,
    ],
    cpuRow(e2e),
    capacityRow(capacity),
    [
      `end to end at ${e2eLowRate} deliveries/s`,
      `p50 ${f(e2eLow.p50Ms)} ms, p99 ${f(e2eLow.p99Ms)} ms`,
      `${e2eLow.measured} measured, ${e2eLow.notVisible} not visible`,
    ],
    [
      `resident memory, steady at ${e2eLowRate} deliveries/s`,
      `ingress ${f(rss.ingress)} MB, status ${f(rss.status)} MB, conversation ${f(rss.conversation)} MB`,
      "",
    ],
  ];
}

function eventAgeRow(name: ProjectorName, e2e: WindowFigures): Row {
  const freshness = e2e.freshness[name];
  return freshness
    ? [
        `  ${name} projector, event age`,
        `p50 ${f(freshness.p50Ms)} ms, p99 ${f(freshness.p99Ms)} ms`,
        `${freshness.events} events`,
      ]
    : [`  ${name} projector, event age`, "not exposed", `no ${eventAgeHistogram} (older code)`];
}

function cpuRow(e2e: WindowFigures): Row {
  const cpu = cpuPerThousandDeliveries(e2e.cpuSeconds, e2e.deliveries);
  return [
    `CPU per 1,000 deliveries at ${e2eRate}/s`,
    `${f(cpu.total ?? NaN, 2)} s`,
    Object.entries(cpu)
      .filter(([name]) => name !== "total")
      .map(([name, seconds]) => `${name} ${seconds === null ? "not found" : f(seconds, 2)}`)
      .join(", "),
  ];
}

function capacityRow(capacity: Capacity | undefined): Row {
  return [
    `capacity (end-to-end p99 < ${e2eP99LimitMs} ms)`,
    capacity
      ? capacity.deliveriesPerSecond === undefined
        ? `below ${capacity.steps[0]?.perSecond ?? "?"} deliveries/s`
        : `${capacity.deliveriesPerSecond} deliveries/s`
      : "not measured (BENCH_CAPACITY=0)",
    (capacity?.steps ?? [])
      .map((step) => `${step.perSecond}/s p99 ${f(step.p99Ms)} ms ${step.passed ? "passed" : "failed"}`)
      .join(", "),
  ];
}

function pipelineJson({ e2eLow, e2e, capacity, rss }: PipelineFigures): PhaseResult["json"] {
  return {
    e2e_p50_ms: e2e.lookup.p50Ms,
    e2e_p99_ms: e2e.lookup.p99Ms,
    e2e_sample_every: e2eSampleEvery,
    e2e_freshness_p50_ms: e2e.endToEnd.p50Ms,
    e2e_freshness_p99_ms: e2e.endToEnd.p99Ms,
    e2e_freshness_source: e2e.endToEnd.source,
    e2e_freshness_by_projector: Object.fromEntries(
      Object.entries(e2e.freshness).map(([name, figures]) => [
        name,
        figures ? { p50_ms: figures.p50Ms, p99_ms: figures.p99Ms, events: figures.events } : null,
      ]),
    ),
    e2e_ack_p50_ms: e2e.lookup.ackP50Ms,
    e2e_ack_p99_ms: e2e.lookup.ackP99Ms,
    e2e_produce_p99_ms: e2e.ingressProduce?.p99Ms ?? null,
    cpu_s_per_1k_deliveries: cpuPerThousandDeliveries(e2e.cpuSeconds, e2e.deliveries),
    capacity_rps: capacity ? (capacity.deliveriesPerSecond ?? 0) : null,
    capacity_p99_limit_ms: e2eP99LimitMs,
    capacity_steps: (capacity?.steps ?? []).map((step) => ({
      rps: step.perSecond,
      p50_ms: step.p50Ms,
      p99_ms: step.p99Ms,
      source: step.source,
      refused: step.refused,
      passed: step.passed,
    })),
    e2e_low_rate_p50_ms: e2eLow.p50Ms,
    e2e_low_rate_p99_ms: e2eLow.p99Ms,
    rss_mb: Math.round(Math.max(rss.ingress, rss.status, rss.conversation)),
    rss_mb_by_service: {
      ingress: Math.round(rss.ingress),
      status_projector: Math.round(rss.status),
      conversation_projector: Math.round(rss.conversation),
    },
  };
}
