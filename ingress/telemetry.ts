import { KafkaJsInstrumentation } from "@opentelemetry/instrumentation-kafkajs";
import { KoaInstrumentation } from "@opentelemetry/instrumentation-koa";
import { MongoDBInstrumentation } from "@opentelemetry/instrumentation-mongodb";
import { startTelemetry } from "../runtime/telemetry";

/** Imported first by main.ts, so instrumentation is in place before Koa, kafkajs and mongodb load. */
export const ingressTelemetry = startTelemetry("whatsapp-ingress", [
  new KoaInstrumentation(),
  new KafkaJsInstrumentation(),
  new MongoDBInstrumentation(),
]);
