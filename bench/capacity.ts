import type { Db } from "mongodb";
import type { SignedDelivery } from "./delivery-mix";
import { measurePipelineWindow, type Pipeline, type WindowFigures } from "./pipeline-window";

export interface CapacityStep {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  source: WindowFigures["endToEnd"]["source"];
  refused: number;
  passed: boolean;
}

export interface Capacity {
  /** The highest step that passed; undefined when the first did not. */
  deliveriesPerSecond: number | undefined;
  steps: CapacityStep[];
  p99LimitMs: number;
}

/** Delivery rates to try, ascending: `BENCH_CAPACITY_STEPS` ("200,300,...") or the default. */
export function capacitySteps(text = process.env.BENCH_CAPACITY_STEPS): number[] {
  if (!text) return [200, 300, 400, 500, 600];
  const steps = text.split(",").map((step) => Number(step.trim()));
  if (steps.some((step) => !(step > 0)))
    throw new Error(`BENCH_CAPACITY_STEPS: expected comma-separated positive rates, got "${text}"`);
  return steps.sort((a, b) => a - b);
}

/**
 * The highest delivery rate at which end-to-end p99 (from the freshness histograms) stays under the
 * limit, with every delivery accepted and applied: each step a warm-up, then a timed window, stopping
 * at the first step that fails.
 */
export async function measureCapacity(options: {
  pipeline: Pipeline;
  db: Db;
  steps: readonly number[];
  /** `count` new deliveries of the mix; `seed` keeps each window's ids apart. */
  deliveries: (count: number, seed: string) => SignedDelivery[];
  warmupSeconds?: number;
  stepSeconds?: number;
  p99LimitMs?: number;
  sampleEvery: number;
  log: (message: string) => void;
}): Promise<Capacity> {
  const p99LimitMs = options.p99LimitMs ?? 500;
  const steps: CapacityStep[] = [];
  for (const perSecond of options.steps) {
    const window = (seconds: number, seed: string) =>
      measurePipelineWindow({
        pipeline: options.pipeline,
        db: options.db,
        deliveries: options.deliveries(Math.round(perSecond * seconds), seed),
        perSecond,
        sampleEvery: options.sampleEvery,
        settleMs: 60_000,
      });
    await window(options.warmupSeconds ?? 3, `c${perSecond}w`);
    const figures = await window(options.stepSeconds ?? 15, `c${perSecond}`);
    const { p50Ms, p99Ms, source } = figures.endToEnd;
    const refused = figures.lookup.refused;
    const passed = p99Ms < p99LimitMs && refused === 0 && figures.caughtUp;
    steps.push({ perSecond, p50Ms, p99Ms, source, refused, passed });
    options.log(
      `capacity step ${perSecond}/s: end to end p50 ${p50Ms} ms, p99 ${p99Ms} ms (${source}), ` +
        `POST to 200 p99 ${figures.lookup.ackP99Ms} ms, ${refused} refused` +
        `${figures.caughtUp ? "" : ", projectors not caught up"}: ${passed ? "passed" : "failed"}`,
    );
    if (!passed) break;
  }
  const passedSteps = steps.filter((step) => step.passed);
  return { deliveriesPerSecond: passedSteps.at(-1)?.perSecond, steps, p99LimitMs };
}
