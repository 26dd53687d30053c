// What a POST must pass before its body is read: a well-formed signature header, then room within the bounds.
import type { Server } from "node:http";
import type { Logger } from "../../runtime/logger";
import { signatureHeaderProblem } from "../domain/signature";
import type { IngressMetrics } from "./ingress-metrics";
import { discardBody } from "./raw-body";
import { WebhookRefusal } from "./webhook-answer";
import type { WebhookMiddleware } from "./webhook-request";

/**
 * Refuses, before the body is read, a POST whose X-Hub-Signature-256 cannot be valid (missing, or not
 * `sha256=` and 64 hex digits). The connection is closed rather than the body drained: a sender who
 * did not sign gets none of our reading, however large or slow its body, nor a share of our capacity.
 */
export function requireSignatureHeader({
  metrics,
  logger,
}: {
  metrics: IngressMetrics;
  logger: Logger;
}): WebhookMiddleware {
  return async (ctx, next) => {
    const problem = signatureHeaderProblem(ctx.get("x-hub-signature-256") || undefined);
    if (problem) {
      metrics.signatureFailures.inc({ reason: problem });
      logger.warn(
        { requestId: ctx.state.requestId, reason: problem, ip: ctx.ip, length: ctx.request.length },
        "signature refused before reading the body; connection closed, nothing written",
      );
      throw new WebhookRefusal(401, "signature_refused", "invalid X-Hub-Signature-256", {
        Connection: "close",
      });
    }
    await next();
  };
}

/** Why a POST was refused before its body was read: the bound it would have taken the ingress over. */
export type CapacityLimit =
  "connections" | "deliveries_in_flight" | "turn_wait" | "produce_backlog" | "body_bytes";

/** What the ingress holds now. */
export interface LoadNow {
  /** Open connections of the public server (the operations listener's are not counted). */
  openConnections: number;
  /** POSTs admitted and not yet answered. */
  deliveriesInFlight: number;
  /** How long the delivery first in line for its turn of the event loop (EventLoopTurns) has waited, ms. */
  turnWaitMs: number;
  /** Sum over admitted POSTs of their Content-Length (MAX_BODY_BYTES when a body gives none). */
  bodyBytesInFlight: number;
  /** Record bytes handed to Kafka and not yet acknowledged. */
  produceBacklogBytes: number;
}

export interface CapacityBounds {
  maxConnections: number;
  maxDeliveriesInFlight: number;
  maxTurnWaitMs: number;
  maxProduceBacklogBytes: number;
  maxBodyBytesInFlight: number;
}

/**
 * The first bound a new POST of `bodyBytes` would take the ingress over, or undefined when there is
 * room: the connections it holds, the deliveries it handles, how far behind its CPU is (the wait for a
 * turn of the event loop: with less CPU than the deliveries need, the bound on their number alone would
 * let them wait past the sender's patience), the records Kafka has not acknowledged, the body bytes in
 * hand.
 */
export function boundReached(
  load: LoadNow,
  bounds: CapacityBounds,
  bodyBytes: number,
): CapacityLimit | undefined {
  if (load.openConnections > bounds.maxConnections) return "connections";
  if (load.deliveriesInFlight >= bounds.maxDeliveriesInFlight) return "deliveries_in_flight";
  if (load.turnWaitMs > bounds.maxTurnWaitMs) return "turn_wait";
  if (load.produceBacklogBytes > bounds.maxProduceBacklogBytes) return "produce_backlog";
  if (load.bodyBytesInFlight + bodyBytes > bounds.maxBodyBytesInFlight) return "body_bytes";
  return undefined;
}

/** The ingress's load as admission reads it: its own counts, the wait for a turn, the producer's backlog. */
export class IngressLoad implements LoadNow {
  openConnections = 0;
  deliveriesInFlight = 0;
  bodyBytesInFlight = 0;

  constructor(
    private readonly sources: { turnWaitMs?: () => number; produceBacklogBytes?: () => number } = {},
  ) {}

  get turnWaitMs(): number {
    return this.sources.turnWaitMs?.() ?? 0;
  }

  get produceBacklogBytes(): number {
    return this.sources.produceBacklogBytes?.() ?? 0;
  }

  /**
   * Counts the public server's connections. None is closed for being over the cap: a connection closed
   * while the server has not read its request yet (an idle keep-alive one, or one just accepted) is a
   * request without an answer; over the cap, each request is answered 503 and its connection closed.
   */
  watch(server: Server): void {
    server.on("connection", (socket) => {
      this.openConnections++;
      socket.once("close", () => this.openConnections--);
    });
  }
}

export interface CapacityLimits extends CapacityBounds {
  load: IngressLoad;
  /** Shared with the early refusals (early-refusal.ts), so that a bound's lines stay one per period. */
  logRefusal?: RefusalLog;
  maxBodyBytes: number;
  /** Longest wait for the rest of a body refused over the connections, before its connection is closed. */
  bodyReadTimeoutMs: number;
  metrics: IngressMetrics;
  logger: Logger;
}

// Shared: a refusal's stack says nothing, and taking one per refused POST is a cost a flood multiplies.
const overCapacity = new WebhookRefusal(503, "over_capacity", "over capacity, retry later", {
  "Retry-After": "5",
});
const overCapacityClosing = new WebhookRefusal(503, "over_capacity", "over capacity, retry later", {
  "Retry-After": "5",
  Connection: "close",
});

/** Warn lines of refusals per bound, at most one per this period: each one counts those left unlogged. */
const refusalLogPeriodMs = 1000;

export type RefusalLog = (limit: CapacityLimit, requestId: string) => void;

/**
 * Logs a refusal with the load that caused it; under a flood, one line per bound per period at most,
 * with how many refusals it stands for (whatsapp_ingress_capacity_refusals_total counts every one).
 */
export function refusalLog(logger: Logger, load: LoadNow): RefusalLog {
  const lastLine = new Map<CapacityLimit, { at: number; unlogged: number }>();
  return (limit, requestId) => {
    const now = performance.now();
    const last = lastLine.get(limit);
    if (last && now - last.at < refusalLogPeriodMs) {
      last.unlogged++;
      return;
    }
    lastLine.set(limit, { at: now, unlogged: 0 });
    logger.warn(
      {
        requestId,
        limit,
        refusals: 1 + (last?.unlogged ?? 0),
        openConnections: load.openConnections,
        deliveriesInFlight: load.deliveriesInFlight,
        turnWaitMs: Math.round(load.turnWaitMs),
        produceBacklogBytes: load.produceBacklogBytes,
        bodyBytesInFlight: load.bodyBytesInFlight,
      },
      "over capacity; answering 503 so the sender retries",
    );
  };
}

/**
 * Refuses with 503 and Retry-After, before its body is read, a POST that would take the ingress over a
 * bound (boundReached); otherwise holds its place among the deliveries in flight and reserves its body's
 * bytes until it is answered. The connection stays open (Node reads and drops the unread body), except
 * over the connections, where it is closed once the body has arrived: a socket closed with unread bytes
 * is reset, and its sender may then never read the answer.
 */
export function admitWithinCapacity(limits: CapacityLimits): WebhookMiddleware {
  const { load, maxBodyBytes, metrics } = limits;
  const logRefusal = limits.logRefusal ?? refusalLog(limits.logger, load);
  return async (ctx, next) => {
    // A length over the limit is refused (413) without reading: nothing to reserve beyond the limit.
    const bytes = Math.min(ctx.request.length ?? maxBodyBytes, maxBodyBytes);
    const limit = boundReached(load, limits, bytes);
    if (limit) {
      metrics.capacityRefusals.inc({ limit });
      logRefusal(limit, ctx.state.requestId);
      if (limit !== "connections") throw overCapacity;
      await discardBody(ctx.req, maxBodyBytes, limits.bodyReadTimeoutMs);
      throw overCapacityClosing;
    }
    load.deliveriesInFlight++;
    load.bodyBytesInFlight += bytes;
    metrics.deliveriesInFlight.set(load.deliveriesInFlight);
    metrics.bodyBytesInFlight.set(load.bodyBytesInFlight);
    try {
      await next();
    } finally {
      load.deliveriesInFlight--;
      load.bodyBytesInFlight -= bytes;
      metrics.deliveriesInFlight.set(load.deliveriesInFlight);
      metrics.bodyBytesInFlight.set(load.bodyBytesInFlight);
    }
  };
}
