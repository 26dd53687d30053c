import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { LoadNow } from "./admission";

export type RequestOutcome =
  | "accepted"
  | "accepted_unrecognized"
  | "signature_refused"
  | "too_large"
  | "body_timeout"
  | "over_capacity"
  | "bad_request"
  | "unavailable"
  | "handshake_ok"
  | "handshake_refused"
  | "handshake_bad_request"
  /** Not a refusal: a failure the ingress did not expect, answered 500. */
  | "error";

/**
 * The ingress's Prometheus series. Labels never carry ids, tokens or secrets. `load` gives the gauges
 * read at each scrape (open connections, turn wait, produce backlog); without it they stay 0.
 */
export function createIngressMetrics(
  registry: Registry,
  load?: Pick<LoadNow, "openConnections" | "turnWaitMs" | "produceBacklogBytes">,
) {
  return {
    requests: new Counter({
      name: "whatsapp_ingress_requests_total",
      help: "Webhook requests by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    signatureFailures: new Counter({
      name: "whatsapp_ingress_signature_failures_total",
      help: "POSTs refused for their X-Hub-Signature-256, by reason (missing, malformed, mismatch)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: "whatsapp_ingress_produce_seconds",
      help: "Time from encode to Kafka's acknowledgement of a whole delivery",
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: "whatsapp_ingress_in_flight_requests",
      help: "Webhook requests being handled now",
      registers: [registry],
    }),
    capacityRefusals: new Counter({
      name: "whatsapp_ingress_capacity_refusals_total",
      help: "POSTs refused with 503 and Retry-After before their body was read, by the bound reached (connections, deliveries_in_flight, turn_wait, produce_backlog, body_bytes)",
      labelNames: ["limit"] as const,
      registers: [registry],
    }),
    deliveriesInFlight: new Gauge({
      name: "whatsapp_ingress_deliveries_in_flight",
      help: "POSTs admitted within the bounds and not yet answered",
      registers: [registry],
    }),
    openConnections: new Gauge({
      name: "whatsapp_ingress_open_connections",
      help: "Open connections of the public port",
      registers: [registry],
      collect() {
        this.set(load?.openConnections ?? 0);
      },
    }),
    turnWaitSeconds: new Gauge({
      name: "whatsapp_ingress_turn_wait_seconds",
      help: "How long the delivery first in line for its turn of the event loop (to be verified, parsed and encoded) has waited",
      registers: [registry],
      collect() {
        this.set((load?.turnWaitMs ?? 0) / 1000);
      },
    }),
    produceBacklogBytes: new Gauge({
      name: "whatsapp_ingress_produce_backlog_bytes",
      help: "Record bytes handed to Kafka and not yet acknowledged",
      registers: [registry],
      collect() {
        this.set(load?.produceBacklogBytes ?? 0);
      },
    }),
    bodyBytesInFlight: new Gauge({
      name: "whatsapp_ingress_body_bytes_in_flight",
      help: "Body bytes held or expected by the webhook requests being handled now",
      registers: [registry],
    }),
    events: new Counter({
      name: "whatsapp_ingress_events_total",
      help: "Records written to Kafka, by topic contract",
      labelNames: ["topic"] as const,
      registers: [registry],
    }),
    untypedObjects: new Counter({
      name: "whatsapp_ingress_objects_untyped_total",
      help: "Messages, statuses, value keys, and changes or items of the typed webhook fields (template, account, calls, groups, ...) of acknowledged deliveries that became no typed event, by field and reason",
      labelNames: ["field", "reason"] as const,
      registers: [registry],
    }),
  };
}

export type IngressMetrics = ReturnType<typeof createIngressMetrics>;
