import { KoaInstrumentation, KoaLayerType } from "@opentelemetry/instrumentation-koa";
import { MongoDBInstrumentation } from "@opentelemetry/instrumentation-mongodb";
import { startTelemetry } from "../runtime/telemetry";

/**
 * Imported first by main.ts, so instrumentation is in place before Koa and mongodb load. Koa: router
 * spans only (a span per middleware is noise on a hot path). Produce spans and the records' trace
 * headers are made per delivery by kafka/delivery-publisher.ts: kafkajs's instrumentation would give a
 * produce request shared by several deliveries the trace context of only one of them.
 */
export const ingressTelemetry = startTelemetry("whatsapp-ingress", [
  new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
  new MongoDBInstrumentation(),
]);
