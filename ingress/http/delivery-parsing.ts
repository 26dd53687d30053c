import { trace, type Attributes } from "@opentelemetry/api";
import type { Logger } from "../../runtime/logger";
import { parseDelivery, type ParsedDelivery } from "../domain/delivery-parser";
import type { IngressMetrics } from "./ingress-metrics";
import type { WebhookMiddleware } from "./webhook-request";

/** Turns the signed body into its raw record and derived events (never fails: see parseDelivery). */
export function parseSignedDelivery(): WebhookMiddleware {
  return async (ctx, next) => {
    const { requestId, receivedAt, body, signatureHeader } = ctx.state;
    ctx.state.delivery = parseDelivery({
      requestId,
      receivedAt,
      body,
      signatureHeader,
      contentType: ctx.get("content-type") || null,
    });
    await next();
  };
}

/** The delivery's facts for the HTTP server span: one span less per webhook on the hot path. */
export function deliverySpanAttributes(delivery: ParsedDelivery): Attributes {
  const raw = delivery.raw.value;
  return {
    "whatsapp.request_id": raw.requestId,
    "whatsapp.waba_id": raw.wabaId ?? "",
    "whatsapp.phone_number_id": delivery.phoneNumberId ?? "",
    "whatsapp.statuses": delivery.statuses.length,
    "whatsapp.messages": delivery.inboundMessages.length,
    "whatsapp.other_changes": delivery.businessEvents.length,
    "whatsapp.body_bytes": raw.body.length,
    "whatsapp.shape_recognized": raw.shapeRecognized,
  };
}

export function describeDeliveryOnSpan(): WebhookMiddleware {
  return async (ctx, next) => {
    trace.getActiveSpan()?.setAttributes(deliverySpanAttributes(ctx.state.delivery));
    await next();
  };
}

/** At most this many untyped objects are named in the log line; untypedCount gives them all. */
const untypedObjectsLogged = 100;

export interface UntypedObjectReporting {
  metrics: IngressMetrics;
  logger: Logger;
}

/**
 * Counts what the parser could not type (whatsapp_ingress_objects_untyped_total{field,reason}) and logs
 * it in one line per delivery. Placed after publishing: a delivery Meta must retry is reported once,
 * when it is in Kafka, where the raw record names the same objects.
 */
export function reportUntypedObjects({ metrics, logger }: UntypedObjectReporting): WebhookMiddleware {
  return async (ctx, next) => {
    const { requestId, delivery } = ctx.state;
    const { untyped } = delivery;
    if (untyped.length > 0) {
      for (const { field, reason } of untyped) metrics.untypedObjects.inc({ field, reason });
      logger.warn(
        {
          requestId,
          wabaId: delivery.raw.value.wabaId,
          untypedCount: untyped.length,
          untyped: untyped.slice(0, untypedObjectsLogged).map(({ detail, reason }) => ({ detail, reason })),
        },
        "objects of the delivery became no typed event; kept in the raw record and a business event",
      );
    }
    await next();
  };
}
