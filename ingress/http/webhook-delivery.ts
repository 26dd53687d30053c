import { trace, type Attributes } from "@opentelemetry/api";
import type Koa from "koa";
import { topicContracts } from "../../contracts/topics";
import type { Logger } from "../../runtime/logger";
import type { ConfigCache } from "../configuration/config-cache";
import { parseDelivery, withoutDerivedEvents, type ParsedDelivery } from "../domain/delivery-parser";
import { recordsByTopic } from "../domain/delivery-topics";
import { verifySignature } from "../domain/signature";
import { DeliveryEncodingError, type DeliveryPublisher } from "../kafka/delivery-publisher";
import type { EventLoopTurns } from "./event-loop-turns";
import type { IngressMetrics } from "./ingress-metrics";
import { readRawBody, type BodyLimits } from "./raw-body";
import { sendAnswer, WebhookRefusal } from "./webhook-answer";
import type { WebhookMiddleware, WebhookState } from "./webhook-request";

export interface DeliveryDependencies extends BodyLimits {
  credentials: Pick<ConfigCache, "current">;
  /** Its publish resolves once Kafka acknowledged every record of the delivery. */
  publisher: Pick<DeliveryPublisher, "publish">;
  /** Where a delivery whose body is in waits its turn of the event loop to be verified, parsed and encoded. */
  turns: Pick<EventLoopTurns, "next">;
  metrics: IngressMetrics;
  logger: Logger;
}

/**
 * A signed delivery, in the order it is handled: raw body -> its turn -> verify signature -> parse ->
 * publish -> answer 200. A step that refuses throws a WebhookRefusal, already logged, for the route's
 * exit to answer. Runs once admission let the POST in (well-formed signature header, room within the
 * bounds).
 */
export function receiveDelivery(deps: DeliveryDependencies): WebhookMiddleware {
  const { metrics, logger } = deps;
  return async (ctx) => {
    const { requestId, receivedAt } = ctx.state;
    const body = await readRawBody(ctx, deps, logger);
    await deps.turns.next();
    const signatureHeader = requireValidSignature(ctx, body, deps);
    const parsed = parseDelivery({
      requestId,
      receivedAt,
      body,
      signatureHeader,
      contentType: ctx.get("content-type") || null,
    });
    trace.getActiveSpan()?.setAttributes(deliverySpanAttributes(parsed));
    const delivery = await publish(parsed, requestId, deps);
    reportUntypedObjects(delivery, requestId, deps);
    sendAnswer(ctx, metrics, {
      status: 200,
      body: "EVENT_RECEIVED",
      outcome: delivery.raw.value.shapeRecognized ? "accepted" : "accepted_unrecognized",
    });
  };
}

/** Lets through only a body signed (X-Hub-Signature-256) with one of the current app secrets; returns the header. */
function requireValidSignature(
  ctx: Koa.ParameterizedContext<WebhookState>,
  body: Buffer,
  { credentials, metrics, logger }: DeliveryDependencies,
): string {
  const signatureHeader = ctx.get("x-hub-signature-256");
  const check = verifySignature(body, signatureHeader || undefined, credentials.current().appSecrets);
  if (!check.valid) {
    metrics.signatureFailures.inc({ reason: check.reason });
    logger.warn(
      { requestId: ctx.state.requestId, reason: check.reason, ip: ctx.ip, bytes: body.length },
      "signature refused; nothing written",
    );
    throw new WebhookRefusal(401, "signature_refused", "invalid X-Hub-Signature-256");
  }
  return signatureHeader;
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
    "whatsapp.template_events": delivery.templateEvents.length,
    "whatsapp.account_events": delivery.accountEvents.length,
    "whatsapp.business_app_messages": delivery.businessAppMessages.length,
    "whatsapp.call_events": delivery.callEvents.length,
    "whatsapp.group_events": delivery.groupEvents.length,
    "whatsapp.user_preferences": delivery.userPreferences.length,
    "whatsapp.payment_statuses": delivery.paymentStatuses.length,
    "whatsapp.body_bytes": raw.body.length,
    "whatsapp.shape_recognized": raw.shapeRecognized,
  };
}

/**
 * Writes the delivery to Kafka and returns what was written: the delivery, or its raw record alone,
 * flagged, when one of its events does not fit its schema. When Kafka does not acknowledge it,
 * refuses with 503 so Meta retries.
 */
async function publish(
  delivery: ParsedDelivery,
  requestId: string,
  { publisher, metrics, logger }: DeliveryDependencies,
): Promise<ParsedDelivery> {
  const stopTimer = metrics.produceSeconds.startTimer();
  let written: ParsedDelivery;
  try {
    written = await publishKeepingTheRawRecord(publisher, delivery);
  } catch (error) {
    trace.getActiveSpan()?.recordException(error as Error);
    logger.error(
      { requestId, wabaId: delivery.raw.value.wabaId, err: error },
      "delivery not acknowledged by Kafka; answering 503 so Meta retries",
    );
    throw new WebhookRefusal(503, "unavailable", "event log unavailable, retry later", {
      "Retry-After": "5",
    });
  }
  stopTimer();
  for (const { topic, records } of recordsByTopic(written)) {
    metrics.events.inc({ topic: topicContracts[topic].metricLabel }, records.length);
  }
  if (!written.raw.value.shapeRecognized) {
    logger.warn(
      { requestId, problem: written.raw.value.problem },
      "signed body kept in the raw topic, flagged",
    );
  }
  return written;
}

async function publishKeepingTheRawRecord(
  publisher: DeliveryDependencies["publisher"],
  delivery: ParsedDelivery,
): Promise<ParsedDelivery> {
  try {
    await publisher.publish(delivery);
    return delivery;
  } catch (error) {
    if (!(error instanceof DeliveryEncodingError)) throw error;
    const flagged = withoutDerivedEvents(delivery, `events could not be encoded: ${error.message}`);
    await publisher.publish(flagged);
    return flagged;
  }
}

/** At most this many untyped objects are named in the log line; untypedCount gives them all. */
const untypedObjectsLogged = 100;

/**
 * Counts what the parser could not type (whatsapp_ingress_objects_untyped_total{field,reason}) and logs
 * it in one line per delivery. Done after publishing: a delivery Meta must retry is reported once,
 * when it is in Kafka, where the raw record names the same objects.
 */
function reportUntypedObjects(
  delivery: ParsedDelivery,
  requestId: string,
  { metrics, logger }: DeliveryDependencies,
): void {
  const { untyped } = delivery;
  if (untyped.length === 0) return;
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
