import { randomUUID } from "node:crypto";
import type Koa from "koa";
import type { IngressMetrics } from "./ingress-metrics";

/** What the middlewares around a POST give its handler: the request's id and when it arrived. */
export interface WebhookState {
  requestId: string;
  receivedAt: number;
}

export type WebhookMiddleware = Koa.Middleware<WebhookState>;

/** Gives the request the id its raw record and every derived event carry, and answers with it. */
export function assignRequestId(): WebhookMiddleware {
  return async (ctx, next) => {
    ctx.state.requestId = randomUUID();
    ctx.state.receivedAt = Date.now();
    ctx.set("X-Request-Id", ctx.state.requestId);
    await next();
  };
}

export function countInFlight(metrics: IngressMetrics): Koa.Middleware {
  return async (_ctx, next) => {
    metrics.inFlight.inc();
    try {
      await next();
    } finally {
      metrics.inFlight.dec();
    }
  };
}
