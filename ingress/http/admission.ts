// What a POST must pass before its body is read: a well-formed signature header, then room within the caps.
import type { Server } from "node:http";
import type { Logger } from "../../runtime/logger";
import { signatureHeaderProblem } from "../domain/signature";
import type { IngressMetrics } from "./ingress-metrics";
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

/** What the ingress holds now: open connections of its public server, body bytes of its requests. */
export class IngressLoad {
  openConnections = 0;
  bodyBytesInFlight = 0;

  /**
   * Counts the public server's connections (the operations listener's are not counted). Over the cap,
   * idle keep-alive connections are closed first, so that idle sockets cannot hold the cap.
   */
  watch(server: Server, maxConnections: number): void {
    server.on("connection", (socket) => {
      this.openConnections++;
      socket.once("close", () => this.openConnections--);
      if (this.openConnections > maxConnections) server.closeIdleConnections();
    });
  }
}

export interface CapacityLimits {
  load: IngressLoad;
  maxConnections: number;
  /** Sum over requests in flight of their Content-Length (MAX_BODY_BYTES when a body gives none). */
  maxBodyBytesInFlight: number;
  maxBodyBytes: number;
  metrics: IngressMetrics;
  logger: Logger;
}

/**
 * Refuses with 503 (Retry-After, connection closed) a POST that would take the ingress over its caps,
 * before its body is read; otherwise reserves the body's bytes until the request is answered.
 */
export function admitWithinCapacity({
  load,
  maxConnections,
  maxBodyBytesInFlight,
  maxBodyBytes,
  metrics,
  logger,
}: CapacityLimits): WebhookMiddleware {
  const refuse = (limit: "connections" | "body_bytes", requestId: string) => {
    metrics.capacityRefusals.inc({ limit });
    logger.warn(
      {
        requestId,
        limit,
        openConnections: load.openConnections,
        bodyBytesInFlight: load.bodyBytesInFlight,
      },
      "over capacity; answering 503 so the sender retries",
    );
    return new WebhookRefusal(503, "over_capacity", "over capacity, retry later", {
      "Retry-After": "5",
      Connection: "close",
    });
  };
  return async (ctx, next) => {
    const { requestId } = ctx.state;
    if (load.openConnections > maxConnections) throw refuse("connections", requestId);
    // A length over the limit is refused (413) without reading: nothing to reserve beyond the limit.
    const bytes = Math.min(ctx.request.length ?? maxBodyBytes, maxBodyBytes);
    if (load.bodyBytesInFlight + bytes > maxBodyBytesInFlight) throw refuse("body_bytes", requestId);
    load.bodyBytesInFlight += bytes;
    metrics.bodyBytesInFlight.set(load.bodyBytesInFlight);
    try {
      await next();
    } finally {
      load.bodyBytesInFlight -= bytes;
      metrics.bodyBytesInFlight.set(load.bodyBytesInFlight);
    }
  };
}
