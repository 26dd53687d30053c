import { startTelemetry } from "../../runtime/telemetry";

/**
 * Imported first by main.ts. Records are traced by hand (runtime/batch-handler.ts): each record's consume
 * and MongoDB write continue the webhook's trace from its Kafka headers, which kafkajs's batch
 * instrumentation would not do (it starts a new trace per batch), so it is not enabled here.
 */
export const projectorTelemetry = startTelemetry("whatsapp-status-projector");
