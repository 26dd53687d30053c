import type { Db } from "mongodb";
import type { ServiceProcess } from "../tests/support/service-process";
import type { SignedDelivery } from "./delivery-mix";
import { measureEndToEnd, type EndToEndLatency } from "./end-to-end-latency";
import {
  histogramBetween,
  histogramQuantile,
  seriesTotal,
  type HistogramWindow,
} from "./histogram-quantiles";
import { cpuBetween, cpuSnapshot } from "./process-cpu";
import type { ProjectorName } from "./service-code";
import { scrapeMetrics } from "./service-pauses";

/** Per event: from the Kafka record's timestamp (set by the ingress) to its acknowledged MongoDB write. */
export const eventAgeHistogram = "whatsapp_projector_event_age_seconds";
const produceHistogram = "whatsapp_ingress_produce_seconds";
/** Every record a projector consumes ends in one of these. */
const projectorOutcomes = [
  "whatsapp_projector_events_applied_total",
  "whatsapp_projector_duplicates_skipped_total",
  "whatsapp_projector_dead_lettered_total",
];
const projectorNames: ProjectorName[] = ["status", "conversation"];

export interface Pipeline {
  ingress: ServiceProcess;
  projectors: Record<ProjectorName, ServiceProcess>;
}

export interface Quantiles {
  p50Ms: number;
  p99Ms: number;
}

export interface WindowFigures {
  deliveries: number;
  /** The lookup sample (every sampleEvery-th delivery) and every delivery's POST to 200. */
  lookup: EndToEndLatency;
  /** From each projector's event-age histogram; undefined when the projector does not expose it. */
  freshness: Record<ProjectorName, (Quantiles & { events: number }) | undefined>;
  /** The worse projector's quantiles, or the lookup sample's when a projector has no histogram. */
  endToEnd: Quantiles & { source: "histograms" | "lookup sample" };
  /** The ingress's Kafka produce time (its histogram), when exposed. */
  ingressProduce: Quantiles | undefined;
  /** CPU seconds by process group, from the first POST until the projectors caught up. */
  cpuSeconds: Map<string, number>;
  /** False when the projectors had not applied every event by the settle deadline. */
  caughtUp: boolean;
  /** /metrics of ingress, status and conversation projector, before and after. */
  metricsBefore: Map<string, number>[];
  metricsAfter: Map<string, number>[];
}

const servicesOf = (pipeline: Pipeline) => [
  pipeline.ingress,
  ...projectorNames.map((n) => pipeline.projectors[n]),
];
const scrapeAll = (pipeline: Pipeline) =>
  Promise.all(servicesOf(pipeline).map((s) => scrapeMetrics(s.operationsUrl)));
/** Records a projector has consumed so far, by its outcome counters. */
export const outcomes = (samples: Map<string, number>) =>
  projectorOutcomes.reduce((sum, metric) => sum + seriesTotal(samples, metric), 0);

function quantilesOf(window: HistogramWindow | undefined): Quantiles | undefined {
  if (!window) return undefined;
  const ms = (q: number) => Number((histogramQuantile(window, q) * 1000).toFixed(1));
  return { p50Ms: ms(0.5), p99Ms: ms(0.99) };
}

/**
 * Scrapes every service once each projector has consumed the window's events (its outcome counters
 * grew by as many) or, if their counting differs, has had no lag and no progress for 1.5 s.
 */
async function scrapeOnceCaughtUp(
  pipeline: Pipeline,
  before: Map<string, number>[],
  expected: number[],
  timeoutMs: number,
): Promise<{ scrapes: Map<string, number>[]; caughtUp: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let previous: number[] = [];
  let idlePolls = 0;
  for (;;) {
    const scrapes = await scrapeAll(pipeline);
    const progress = projectorNames.map((_, i) => outcomes(scrapes[i + 1]!) - outcomes(before[i + 1]!));
    const consumed = progress.every((count, i) => count >= expected[i]!);
    const idle =
      progress.every((count, i) => count === previous[i]) &&
      projectorNames.every((_, i) => seriesTotal(scrapes[i + 1]!, "whatsapp_projector_consumer_lag") === 0);
    idlePolls = idle ? idlePolls + 1 : 0;
    if (consumed || idlePolls >= 3 || Date.now() > deadline)
      return { scrapes, caughtUp: consumed || idlePolls >= 3 };
    previous = progress;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * One timed window of the running pipeline: the deliveries sent at a fixed rate (a sparse sample looked
 * up in the database), then /metrics and CPU read again once the projectors have applied them all, so
 * that the histograms' difference holds exactly this window's events.
 */
export async function measurePipelineWindow(options: {
  pipeline: Pipeline;
  db: Db;
  deliveries: readonly SignedDelivery[];
  perSecond: number;
  sampleEvery: number;
  settleMs: number;
}): Promise<WindowFigures> {
  const { pipeline } = options;
  const pids = {
    ingress: pipeline.ingress.child.pid,
    status_projector: pipeline.projectors.status.child.pid,
    conversation_projector: pipeline.projectors.conversation.child.pid,
  };
  const expected = [
    options.deliveries.reduce((sum, d) => sum + d.effects.statuses.length, 0),
    options.deliveries.reduce((sum, d) => sum + d.effects.inbound.length, 0),
  ];
  const metricsBefore = await scrapeAll(pipeline);
  const cpuBefore = cpuSnapshot(pids);
  const lookup = await measureEndToEnd({
    baseUrl: pipeline.ingress.baseUrl,
    db: options.db,
    deliveries: options.deliveries,
    perSecond: options.perSecond,
    sampleEvery: options.sampleEvery,
    settleMs: options.settleMs,
  });
  const { scrapes: metricsAfter, caughtUp } = await scrapeOnceCaughtUp(
    pipeline,
    metricsBefore,
    expected,
    options.settleMs,
  );
  const cpuSeconds = cpuBetween(cpuBefore, cpuSnapshot(pids));

  const freshness = Object.fromEntries(
    projectorNames.map((name, i) => {
      const window = histogramBetween(metricsBefore[i + 1]!, metricsAfter[i + 1]!, eventAgeHistogram);
      return [name, window && { ...quantilesOf(window)!, events: window.count }];
    }),
  ) as WindowFigures["freshness"];
  const measured = Object.values(freshness);
  const withEvents = measured.filter((f) => f !== undefined && f.events > 0);
  const endToEnd: WindowFigures["endToEnd"] =
    measured.every((f) => f !== undefined) && withEvents.length > 0
      ? {
          p50Ms: Math.max(...withEvents.map((f) => f!.p50Ms)),
          p99Ms: Math.max(...withEvents.map((f) => f!.p99Ms)),
          source: "histograms",
        }
      : { p50Ms: lookup.p50Ms, p99Ms: lookup.p99Ms, source: "lookup sample" };
  return {
    deliveries: options.deliveries.length,
    lookup,
    freshness,
    endToEnd,
    ingressProduce: quantilesOf(histogramBetween(metricsBefore[0]!, metricsAfter[0]!, produceHistogram)),
    cpuSeconds,
    caughtUp,
    metricsBefore,
    metricsAfter,
  };
}
