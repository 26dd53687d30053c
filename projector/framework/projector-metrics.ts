import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export function createProjectorMetrics(registry: Registry) {
  return {
    applied: new Counter({
      name: "whatsapp_projector_events_applied_total",
      help: "Events that changed a read model",
      registers: [registry],
    }),
    duplicates: new Counter({
      name: "whatsapp_projector_duplicates_skipped_total",
      help: "Events already reflected in the read model (redeliveries, replays)",
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "whatsapp_projector_dead_lettered_total",
      help: "Records sent to the dead-letter topic, by reason kind",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: "whatsapp_projector_batch_seconds",
      help: "Time to decode, apply and commit one batch",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    lag: new Gauge({
      name: "whatsapp_projector_consumer_lag",
      help: "Records behind the partition's high watermark after the last committed batch",
      labelNames: ["partition"] as const,
      registers: [registry],
    }),
  };
}

export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>;
