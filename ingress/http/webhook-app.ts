import { randomUUID } from "node:crypto";
import Router from "@koa/router";
import { trace } from "@opentelemetry/api";
import Koa from "koa";
import getRawBody from "raw-body";
import type { Logger } from "../../runtime/logger";
import { operationsRouter, type ReadinessCheck } from "../../runtime/operations-endpoints";
import type { Registry } from "prom-client";
import type { WebhookCredentials } from "../configuration/webhook-credentials";
import { parseDelivery, type ParsedDelivery } from "../domain/delivery-parser";
import { verifySignature } from "../domain/signature";
import { answerHandshake } from "../domain/verification-handshake";
import type { IngressMetrics, RequestOutcome } from "./ingress-metrics";
import { serverSpan } from "./server-span";

/** The path of the setup guide this product replaces; the router matches it with or without the trailing slash. */
export const webhookPath = "/api/integrations/webhooks/whatsapp";

export interface WebhookAppDependencies {
  credentials: () => WebhookCredentials;
  publish: (delivery: ParsedDelivery) => Promise<number>;
  readiness: ReadinessCheck;
  metricsRegistry: Registry;
  metrics: IngressMetrics;
  logger: Logger;
  maxBodyBytes: number;
}

const tracer = trace.getTracer("whatsapp-ingress");

/**
 * The webhook endpoint, read top to bottom: raw body -> verify signature -> parse -> publish -> answer.
 * 200 is sent only after Kafka acknowledged every record of the delivery.
 */
export function createWebhookApp(deps: WebhookAppDependencies): Koa {
  const { metrics, logger } = deps;
  const app = new Koa();
  app.proxy = true;
  const router = new Router();
  const answer = (ctx: Koa.Context, status: number, body: string, outcome: RequestOutcome) => {
    ctx.status = status;
    ctx.type = "text/plain";
    ctx.body = body;
    metrics.requests.inc({ outcome });
  };

  const traced = serverSpan(tracer, webhookPath);

  router.get(webhookPath, traced, (ctx) => {
    const { status, body } = answerHandshake(ctx.query, deps.credentials().verifyTokens);
    const outcome: RequestOutcome =
      status === 200 ? "handshake_ok" : status === 403 ? "handshake_refused" : "handshake_bad_request";
    if (status !== 200)
      logger.warn({ status, mode: ctx.query["hub.mode"], ip: ctx.ip }, "verification handshake refused");
    answer(ctx, status, body, outcome);
  });

  router.post(webhookPath, traced, async (ctx) => {
    const requestId = randomUUID();
    const receivedAt = Date.now();
    ctx.set("X-Request-Id", requestId);
    metrics.inFlight.inc();
    try {
      let body: Buffer;
      try {
        body = await getRawBody(ctx.req, { limit: deps.maxBodyBytes, length: ctx.request.length });
      } catch (error) {
        const type = (error as { type?: string }).type;
        if (type === "entity.too.large") {
          logger.warn(
            { requestId, limit: deps.maxBodyBytes, length: ctx.request.length },
            "body over the limit refused",
          );
          return answer(ctx, 413, `body larger than ${deps.maxBodyBytes} bytes`, "too_large");
        }
        logger.warn({ requestId, err: error }, "body could not be read");
        return answer(ctx, 400, "body could not be read", "bad_request");
      }

      const signatureHeader = ctx.get("x-hub-signature-256");
      const check = verifySignature(body, signatureHeader || undefined, deps.credentials().appSecrets);
      if (!check.valid) {
        metrics.signatureFailures.inc({ reason: check.reason });
        logger.warn(
          { requestId, reason: check.reason, ip: ctx.ip, bytes: body.length },
          "signature refused; nothing written",
        );
        return answer(ctx, 401, "invalid X-Hub-Signature-256", "signature_refused");
      }

      const delivery = parseDelivery({
        requestId,
        receivedAt,
        body,
        signatureHeader,
        contentType: ctx.get("content-type") || null,
      });
      // The delivery's facts go on the HTTP server span: one span less per webhook on the hot path.
      trace.getActiveSpan()?.setAttributes({
        "whatsapp.request_id": requestId,
        "whatsapp.waba_id": delivery.raw.value.wabaId ?? "",
        "whatsapp.phone_number_id": delivery.phoneNumberId ?? "",
        "whatsapp.statuses": delivery.statuses.length,
        "whatsapp.messages": delivery.inboundMessages.length,
        "whatsapp.other_changes": delivery.businessEvents.length,
        "whatsapp.body_bytes": body.length,
        "whatsapp.shape_recognized": delivery.raw.value.shapeRecognized,
      });
      const stopTimer = metrics.produceSeconds.startTimer();
      try {
        await deps.publish(delivery);
        stopTimer();
        metrics.events.inc({ topic: "raw" });
        metrics.events.inc({ topic: "status" }, delivery.statuses.length);
        metrics.events.inc({ topic: "inbound" }, delivery.inboundMessages.length);
        metrics.events.inc({ topic: "business" }, delivery.businessEvents.length);
        if (!delivery.raw.value.shapeRecognized) {
          logger.warn(
            { requestId, problem: delivery.raw.value.problem },
            "signed body kept in the raw topic, flagged",
          );
        }
        answer(
          ctx,
          200,
          "EVENT_RECEIVED",
          delivery.raw.value.shapeRecognized ? "accepted" : "accepted_unrecognized",
        );
      } catch (error) {
        trace.getActiveSpan()?.recordException(error as Error);
        logger.error(
          { requestId, wabaId: delivery.raw.value.wabaId, err: error },
          "delivery not acknowledged by Kafka; answering 503 so Meta retries",
        );
        ctx.set("Retry-After", "5");
        answer(ctx, 503, "event log unavailable, retry later", "unavailable");
      }
    } finally {
      metrics.inFlight.dec();
    }
  });

  router.all(webhookPath, traced, (ctx) => {
    ctx.set("Allow", "GET, POST");
    answer(ctx, 405, "method not allowed", "bad_request");
  });

  const operations = operationsRouter(deps.metricsRegistry, deps.readiness);
  app.use(router.routes());
  app.use(operations.routes());
  app.use(operations.allowedMethods());
  return app;
}
