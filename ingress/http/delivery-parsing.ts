import { trace, type Attributes } from "@opentelemetry/api";
import { parseDelivery, type ParsedDelivery } from "../domain/delivery-parser";
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
