import { MongoDBInstrumentation } from "@opentelemetry/instrumentation-mongodb";
import { serviceNames } from "../runtime/service-names";
import { startTelemetry } from "../runtime/telemetry";

/**
 * Imported first by main.ts, so instrumentation is in place before mongodb loads. Per webhook the
 * ingress makes two spans: the HTTP server span (http/server-span.ts; the delivery attributes from http/webhook-delivery.ts)
 * and one `send` producer span (kafka/delivery-publisher.ts), whose context every record of the delivery
 * carries. Neither Koa's nor kafkajs's instrumentation is loaded: Koa's spans cost throughput and said
 * nothing for one route, and kafkajs's would give a produce request shared by several deliveries the
 * trace context of only one of them.
 */
export const ingressTelemetry = startTelemetry(serviceNames.ingress, [new MongoDBInstrumentation()]);
