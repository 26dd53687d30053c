import { startTelemetry } from "../runtime/telemetry";

/** Imported first by main.ts, so instrumentation is in place before Koa, kafkajs and mongodb load. */
export const ingressTelemetry = startTelemetry("whatsapp-ingress");
