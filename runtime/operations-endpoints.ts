import Router from "@koa/router";
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
 * /healthz: the process is alive. /readyz: every dependency answers (200) or which do not (503).
 * /metrics: Prometheus text format.
 */
export function operationsRouter(metrics: Registry, readiness: ReadinessCheck): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "alive" };
  });
  router.get("/readyz", async (ctx) => {
    const checks = await readiness();
    const ready = Object.values(checks).every(Boolean);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? "ready" : "not ready", checks };
  });
  router.get("/metrics", async (ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.metrics();
  });
  return router;
}
