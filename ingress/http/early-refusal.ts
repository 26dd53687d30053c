import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { signatureHeaderProblem } from "../domain/signature";
import { boundReached, type CapacityLimits, type RefusalLog } from "./admission";

// A string: Node sends it with the head in one write, a Buffer in a writev of two.
const refusalBody = "over capacity, retry later";

/**
 * Answers a webhook POST over a capacity bound with 503 and Retry-After from the HTTP server's request
 * event, before the Koa app: under a flood most requests are refused, and each one through the app
 * (context, router, server span, answer) costs several times the check itself, CPU the deliveries
 * admitted need. The answer is the app's (status, body, headers, X-Request-Id) and is counted the same,
 * with no span: a refusal is in the metrics and the warn lines, not in the traces. Returns false, and
 * leaves the request to the app, for anything else: another path or method, a signature header that
 * cannot be valid (refused and logged there), room within the bounds, or the connections bound (the app
 * closes the connection once the body has arrived). Node reads and drops the unread body after the answer.
 */
export function refuseOverCapacityEarly(
  limits: CapacityLimits & { logRefusal: RefusalLog; path: string },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { load, maxBodyBytes, metrics, path } = limits;
  return (req, res) => {
    if (req.method !== "POST" || !isPath(req.url, path)) return false;
    const signature = req.headers["x-hub-signature-256"];
    if (typeof signature !== "string" || signatureHeaderProblem(signature)) return false;
    const length = Number(req.headers["content-length"] ?? NaN);
    const bytes = Math.min(Number.isSafeInteger(length) && length >= 0 ? length : maxBodyBytes, maxBodyBytes);
    const limit = boundReached(load, limits, bytes);
    if (!limit || limit === "connections") return false;
    const requestId = randomUUID();
    metrics.capacityRefusals.inc({ limit });
    metrics.requests.inc({ outcome: "over_capacity" });
    limits.logRefusal(limit, requestId);
    res.writeHead(503, {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": Buffer.byteLength(refusalBody),
      "X-Content-Type-Options": "nosniff",
      "Retry-After": "5",
      "X-Request-Id": requestId,
    });
    res.end(refusalBody);
    return true;
  };
}

/** Whether a request target is `path`, with or without a trailing slash and a query (as the router matches). */
function isPath(url: string | undefined, path: string): boolean {
  if (!url?.startsWith(path)) return false;
  const rest = url.slice(path.length);
  return rest === "" || rest === "/" || rest.startsWith("?") || rest.startsWith("/?");
}
