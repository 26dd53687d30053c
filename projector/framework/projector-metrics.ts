import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** A projector process's metrics: every series carries the projection it is about. */
export function createProjectorMetrics(registry: Registry) {
  return {
    applied: new Counter({
      name: "whatsapp_projector_events_applied_total",
      help: "Events that changed a read model",
      labelNames: ["projection"] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: "whatsapp_projector_duplicates_skipped_total",
      help: "Events already reflected in the read model (redeliveries, replays)",
      labelNames: ["projection"] as const,
      registers: [registry],
    }),
    skipped: new Counter({
      name: "whatsapp_projector_records_skipped_total",
      help: "Records of the topic the projection does not handle (another field on a shared topic): committed, never dead-lettered",
      labelNames: ["projection", "reason"] as const,
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "whatsapp_projector_dead_lettered_total",
      help: "Records sent to the dead-letter topic, by kind (empty, undecodable, not_applicable, projection_failed, refused_by_store)",
      labelNames: ["projection", "kind"] as const,
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: "whatsapp_projector_batch_seconds",
      help: "Time to decode, apply and commit one batch",
      labelNames: ["projection"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    eventAge: new Histogram({
      name: "whatsapp_projector_event_age_seconds",
      help: "Time from an event's Kafka record timestamp (set when the ingress produced it) to its acknowledged write",
      labelNames: ["projection"] as const,
      buckets: [
        0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60,
      ],
      registers: [registry],
    }),
    lag: new Gauge({
      name: "whatsapp_projector_consumer_lag",
      help: "Records behind the partition's high watermark: from the fetched batch's first offset, then after each committed slice",
      labelNames: ["projection", "topic", "partition"] as const,
      registers: [registry],
    }),
    stalled: new Gauge({
      name: "whatsapp_projector_partition_stalled",
      help: "1 while a partition has lag and committed nothing for STALL_AFTER_MS (a batch that keeps failing), else 0",
      labelNames: ["projection", "topic", "partition"] as const,
      registers: [registry],
    }),
  };
}

export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>;
