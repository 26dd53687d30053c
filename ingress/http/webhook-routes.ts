import Router from "@koa/router";
import { trace } from "@opentelemetry/api";
import type Koa from "koa";
import type { Logger } from "../../runtime/logger";
import type { WebhookCredentials } from "../configuration/webhook-credentials";
import type { ParsedDelivery } from "../domain/delivery-parser";
import { admitWithinCapacity, type IngressLoad } from "./admission";
import { describeDeliveryOnSpan, parseSignedDelivery, reportUntypedObjects } from "./delivery-parsing";
import { acknowledgeDelivery, publishDelivery } from "./delivery-publishing";
import type { IngressMetrics } from "./ingress-metrics";
import { readRawBody } from "./raw-body";
import { serverSpan } from "./server-span";
import { requireSignatureHeader, requireValidSignature } from "./signature-check";
import { verificationHandshake } from "./verification-handshake";
import { answerRefusals, WebhookRefusal } from "./webhook-answer";
import { assignRequestId, countInFlight } from "./webhook-request";

/** The path of the setup guide this product replaces; the router matches it with or without the trailing slash. */
export const webhookPath = "/api/integrations/webhooks/whatsapp";

export interface WebhookRouteDependencies {
  credentials: () => WebhookCredentials;
  /** Resolves once Kafka acknowledged every record of the delivery. */
  publish: (delivery: ParsedDelivery) => Promise<number>;
  metrics: IngressMetrics;
  logger: Logger;
  maxBodyBytes: number;
  bodyReadTimeoutMs: number;
  minBodyBytesPerSecond: number;
  /** What the public server holds now, and the caps a POST must stay within to be read. */
  load: IngressLoad;
  maxConnections: number;
  maxBodyBytesInFlight: number;
  /** Whether a caller's `traceparent` is continued (else a new trace, linked to it). */
  trustTraceparent: boolean;
}

const tracer = trace.getTracer("whatsapp-ingress");

const refuseMethod: Koa.Middleware = () => {
  throw new WebhookRefusal(405, "bad_request", "method not allowed", { Allow: "GET, POST" });
};

/**
 * The webhook endpoint, read top to bottom: signature header and capacity (before any body is read) ->
 * raw body -> verify signature -> parse -> publish -> report untyped objects -> answer. Every refusal
 * leaves through answerRefusals. The operations endpoints are mounted by the service.
 */
export function createWebhookRoutes(deps: WebhookRouteDependencies): Koa.Middleware {
  const { metrics } = deps;
  const traced = serverSpan(tracer, webhookPath, deps);
  const router = new Router();

  router.get(webhookPath, traced, answerRefusals(metrics), verificationHandshake(deps));

  router.post(
    webhookPath,
    traced,
    assignRequestId(),
    countInFlight(metrics),
    answerRefusals(metrics),
    requireSignatureHeader(deps),
    admitWithinCapacity(deps),
    readRawBody(deps),
    requireValidSignature(deps),
    parseSignedDelivery(),
    describeDeliveryOnSpan(),
    publishDelivery(deps),
    reportUntypedObjects(deps),
    acknowledgeDelivery(metrics),
  );

  router.all(webhookPath, traced, answerRefusals(metrics), refuseMethod);

  // Typed as plain middleware: the router adds its own context fields (params, router) when it runs.
  const routes = router.routes() as Koa.Middleware;
  const allowedMethods = router.allowedMethods() as Koa.Middleware;
  return (ctx, next) => routes(ctx, () => allowedMethods(ctx, next));
}
