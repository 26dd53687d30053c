import { monitorEventLoopDelay } from "node:perf_hooks";
import autocannon from "autocannon";
import { Pool } from "undici";
import type { SignedDelivery } from "./delivery-mix";

export const webhookPath = "/api/integrations/webhooks/whatsapp/";

/** POSTs a signed delivery to the webhook as Meta does. */
export function postDelivery(
  baseUrl: string,
  delivery: SignedDelivery,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${baseUrl}${webhookPath}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": delivery.signature },
    body: delivery.body,
    ...(signal ? { signal } : {}),
  });
}

/** The p-th percentile of ascending values (nearest rank). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** The `count` samples with the highest latency, slowest first. */
export const slowestFirst = <T extends { latencyMs: number }>(samples: readonly T[], count = 5): T[] =>
  [...samples].sort((a, b) => b.latencyMs - a.latencyMs).slice(0, count);

export interface LoadResult {
  /** Answers 200 per second over the measured window. */
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers: a run with any is not a sustained rate. */
  failures: number;
  /** The failures by kind when there are any: "503 x 423, errors 0, timeouts 0" (closed-loop runs). */
  failureKinds?: string;
  /** Paced runs: the longest event-loop delay of this (load-generating) process during the timed run; a
   * pause here delays the reading of answers and shows up as server latency. */
  loadGeneratorDelayMaxMs?: number;
  /** Paced runs: the slowest answers, slowest first, with when each was sent (ms into the timed run). */
  slowest?: { sentAfterMs: number; latencyMs: number }[];
}

export interface LoadOptions {
  baseUrl: string;
  deliveries: readonly SignedDelivery[];
  connections: number;
  durationSeconds: number;
}

/** Drives signed POSTs at the webhook path with autocannon, closed loop, cycling through the given deliveries. */
export async function runHttpLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: options.deliveries.map((delivery) => ({
      method: "POST" as const,
      path: webhookPath,
      headers: { "content-type": "application/json", "x-hub-signature-256": delivery.signature },
      body: delivery.body,
    })),
  });
  const failures = result.errors + result.timeouts + result.non2xx;
  const answersOtherThan2xx = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => !status.startsWith("2"))
    .map(([status, { count }]) => `${status} x ${count}`);
  return {
    deliveriesPerSecond: result["2xx"] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures,
    ...(failures > 0 && {
      failureKinds: [...answersOtherThan2xx, `errors ${result.errors}`, `timeouts ${result.timeouts}`].join(", "),
    }),
  };
}

/**
 * Open-loop load at an even pace: one POST every 1/perSecond s, each timed from its send to its answer.
 * (autocannon's rate limit releases each second's requests in a burst at the second's start, which
 * measures its own queue, not the server's latency.) Sent through an undici pool of keep-alive
 * connections: `fetch` cost this process so much CPU at a few thousand requests/s that its own queue
 * dominated the p99 it reported, on two cores shared with the server.
 */
export async function runPacedLoad(options: {
  baseUrl: string;
  deliveries: readonly SignedDelivery[];
  perSecond: number;
  durationSeconds: number;
  /** Sent first at the same pace through the same connections, untimed: the timed run starts warm. */
  warmupSeconds?: number;
  /** Called when the first timed request is due. */
  onTimedStart?: () => void;
  connections?: number;
}): Promise<LoadResult> {
  const pool = new Pool(options.baseUrl, { connections: options.connections ?? 64, pipelining: 1 });
  const untimed = Math.round(options.perSecond * (options.warmupSeconds ?? 0));
  const total = untimed + Math.round(options.perSecond * options.durationSeconds);
  const answered: { sentAfterMs: number; latencyMs: number }[] = [];
  let failures = 0;
  const sends: Promise<void>[] = [];
  const start = performance.now();
  let timedStart = start;
  const ownDelay = monitorEventLoopDelay({ resolution: 10 });
  try {
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / options.perSecond - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const delivery = options.deliveries[i % options.deliveries.length]!;
      const timed = i >= untimed;
      if (i === untimed) {
        timedStart = performance.now();
        ownDelay.enable();
        options.onTimedStart?.();
      }
      const sent = performance.now();
      sends.push(
        pool
          .request({
            path: webhookPath,
            method: "POST",
            headers: { "content-type": "application/json", "x-hub-signature-256": delivery.signature },
            body: delivery.body,
          })
          .then(
            async ({ statusCode, body }) => {
              await body.dump();
              if (statusCode !== 200) failures++;
              else if (timed) {
                answered.push({
                  sentAfterMs: Math.round(sent - timedStart),
                  latencyMs: performance.now() - sent,
                });
              }
            },
            () => void failures++,
          ),
      );
    }
    await Promise.all(sends);
  } finally {
    ownDelay.disable();
    await pool.close();
  }
  const seconds = (performance.now() - timedStart) / 1000;
  const latencies = answered.map((a) => a.latencyMs).sort((a, b) => a - b);
  return {
    deliveriesPerSecond: latencies.length / seconds,
    p50Ms: Number(percentile(latencies, 50).toFixed(1)),
    p99Ms: Number(percentile(latencies, 99).toFixed(1)),
    failures,
    loadGeneratorDelayMaxMs: Math.round(ownDelay.max / 1e6),
    slowest: slowestFirst(answered).map((a) => ({ ...a, latencyMs: Number(a.latencyMs.toFixed(1)) })),
  };
}
