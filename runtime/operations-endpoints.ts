import Router from "@koa/router";
import { registryRequest, type SchemaRegistryConnection } from "../contracts/schema-registry-client";
import { within } from "./kafka-client";
import { Registry, collectDefaultMetrics } from "prom-client";

export type ReadinessCheck = () => Promise<Record<string, boolean>>;

/** A Prometheus registry for one service, with Node's default process metrics. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The last answer of `check` for `ttlMs`, and one check at a time: probes and scrapes, however many,
 * cost the dependencies at most one round of calls per `ttlMs`.
 */
export function cachedReadiness(check: ReadinessCheck, ttlMs: number, now = Date.now): ReadinessCheck {
  let last: { at: number; answer: Promise<Record<string, boolean>> } | undefined;
  return () => {
    if (!last || now() - last.at >= ttlMs) {
      const answer = check();
      last = { at: now(), answer };
      // A failed check is not remembered: the next probe asks again.
      answer.catch(() => {
        if (last?.answer === answer) last = undefined;
      });
    }
    return last.answer;
  };
}

/** Whether the schema registry answers, with the service's credentials, within 2 s (readiness must be fast). */
export const schemaRegistryAnswers = (registry: SchemaRegistryConnection): Promise<boolean> =>
  within(
    registryRequest(registry, "/subjects", { timeoutMs: 2000 }).then(({ status }) => status === 200),
    2000,
    false,
  );

/** /healthz: the process is alive. Cheap, no dependency called: safe on a public port. */
export function healthRouter(): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "alive" };
  });
  return router;
}

/**
 * /healthz, and /readyz: every dependency answers (200) or which do not (503), checked at most once a
 * second. /metrics: Prometheus text format.
 */
export function operationsRouter(metrics: Registry, readiness: ReadinessCheck): Router {
  const router = healthRouter();
  const ready = cachedReadiness(readiness, 1000);
  router.get("/readyz", async (ctx) => {
    const checks = await ready();
    const allReady = Object.values(checks).every(Boolean);
    ctx.status = allReady ? 200 : 503;
    ctx.body = { status: allReady ? "ready" : "not ready", checks };
  });
  router.get("/metrics", async (ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.metrics();
  });
  return router;
}
