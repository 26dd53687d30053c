import Router from "@koa/router";
import { trace } from "@opentelemetry/api";
import type Koa from "koa";
import {
  admitWithinCapacity,
  requireSignatureHeader,
  type CapacityBounds,
  type IngressLoad,
} from "./admission";
import { serverSpan } from "./server-span";
import { verificationHandshake } from "./verification-handshake";
import { answerFailures, WebhookRefusal } from "./webhook-answer";
import { receiveDelivery, type DeliveryDependencies } from "./webhook-delivery";
import { assignRequestId, countInFlight } from "./webhook-request";

/** The path of the setup guide this product replaces; the router matches it with or without the trailing slash. */
export const webhookPath = "/api/integrations/webhooks/whatsapp";

export interface WebhookRouteDependencies extends DeliveryDependencies, CapacityBounds {
  /** What the ingress holds now; a POST must stay within the bounds to be read. */
  load: IngressLoad;
  /** Whether a caller's `traceparent` is continued (else a new trace, linked to it). */
  trustTraceparent: boolean;
}

const tracer = trace.getTracer("whatsapp-ingress");

const refuseMethod: Koa.Middleware = () => {
  throw new WebhookRefusal(405, "bad_request", "method not allowed", { Allow: "GET, POST" });
};

/**
 * The webhook endpoint. A POST is wrapped by its server span, the one exit for failures, its request id
 * and the in-flight gauge; admission refuses it before any body is read (signature header, bounds);
 * then receiveDelivery handles it top to bottom. The operations endpoints are mounted by the service.
 */
export function createWebhookRoutes(deps: WebhookRouteDependencies): Koa.Middleware {
  const traced = serverSpan(tracer, webhookPath, deps);
  const exit = answerFailures(deps);
  const router = new Router();

  router.get(webhookPath, traced, exit, verificationHandshake(deps));

  router.post(
    webhookPath,
    traced,
    exit,
    assignRequestId(),
    countInFlight(deps.metrics),
    requireSignatureHeader(deps),
    admitWithinCapacity(deps),
    receiveDelivery(deps),
  );

  router.all(webhookPath, traced, exit, refuseMethod);

  // Typed as plain middleware: the router adds its own context fields (params, router) when it runs.
  const routes = router.routes() as Koa.Middleware;
  const allowedMethods = router.allowedMethods() as Koa.Middleware;
  return (ctx, next) => routes(ctx, () => allowedMethods(ctx, next));
}
