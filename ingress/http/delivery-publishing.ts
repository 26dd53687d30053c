import { trace } from "@opentelemetry/api";
import { topicContracts } from "../../contracts/topics";
import type { Logger } from "../../runtime/logger";
import { withoutDerivedEvents, type ParsedDelivery } from "../domain/delivery-parser";
import { recordsByTopic } from "../domain/delivery-topics";
import { DeliveryEncodingError } from "../kafka/delivery-publisher";
import type { IngressMetrics } from "./ingress-metrics";
import { sendAnswer, WebhookRefusal } from "./webhook-answer";
import type { WebhookMiddleware } from "./webhook-request";

export interface PublishingDependencies {
  /** Resolves once Kafka acknowledged every record of the delivery. */
  publish: (delivery: ParsedDelivery) => Promise<number>;
  metrics: IngressMetrics;
  logger: Logger;
}

/** Publishes the delivery; when one of its events does not fit its schema, its raw record alone, flagged. */
async function publishKeepingTheRawRecord(
  publish: PublishingDependencies["publish"],
  delivery: ParsedDelivery,
): Promise<ParsedDelivery> {
  try {
    await publish(delivery);
    return delivery;
  } catch (error) {
    if (!(error instanceof DeliveryEncodingError)) throw error;
    const flagged = withoutDerivedEvents(delivery, `events could not be encoded: ${error.message}`);
    await publish(flagged);
    return flagged;
  }
}

/** Writes the delivery to Kafka; when Kafka does not acknowledge it, refuses with 503 so Meta retries. */
export function publishDelivery({ publish, metrics, logger }: PublishingDependencies): WebhookMiddleware {
  return async (ctx, next) => {
    const { requestId } = ctx.state;
    let { delivery } = ctx.state;
    const stopTimer = metrics.produceSeconds.startTimer();
    try {
      delivery = ctx.state.delivery = await publishKeepingTheRawRecord(publish, delivery);
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
    for (const { topic, records } of recordsByTopic(delivery)) {
      metrics.events.inc({ topic: topicContracts[topic].metricLabel }, records.length);
    }
    if (!delivery.raw.value.shapeRecognized) {
      logger.warn(
        { requestId, problem: delivery.raw.value.problem },
        "signed body kept in the raw topic, flagged",
      );
    }
    await next();
  };
}

/** 200 only once the delivery is in Kafka; a body of unknown shape is counted apart. */
export function acknowledgeDelivery(metrics: IngressMetrics): WebhookMiddleware {
  return (ctx) => {
    const recognized = ctx.state.delivery.raw.value.shapeRecognized;
    sendAnswer(ctx, metrics, {
      status: 200,
      body: "EVENT_RECEIVED",
      outcome: recognized ? "accepted" : "accepted_unrecognized",
    });
  };
}
