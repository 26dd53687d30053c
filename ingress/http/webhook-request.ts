import { randomUUID } from "node:crypto";
import type Koa from "koa";
import type { ParsedDelivery } from "../domain/delivery-parser";
import type { IngressMetrics } from "./ingress-metrics";

/** What the POST middlewares learn about a request, each field set by the step that finds it out. */
export interface WebhookState {
  /** assignRequestId */
  requestId: string;
  receivedAt: number;
  /** readRawBody */
  body: Buffer;
  /** requireValidSignature */
  signatureHeader: string;
  /** parseSignedDelivery */
  delivery: ParsedDelivery;
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
