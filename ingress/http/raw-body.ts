import type Koa from "koa";
import getRawBody from "raw-body";
import type { Logger } from "../../runtime/logger";
import { WebhookRefusal } from "./webhook-answer";
import type { WebhookState } from "./webhook-request";

class BodyReadTimeout extends Error {}

/**
 * Reads what is left of a refused body and drops it, up to `maxBytes` and `timeoutMs`: a server that
 * closes a connection with unread bytes resets it, and the sender may then never see the answer.
 * Resolves with the bytes dropped.
 */
export function discardBody(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve) => {
    let dropped = 0;
    const done = () => {
      clearTimeout(timer);
      stream.off("data", drop);
      stream.off("end", done);
      stream.off("error", done);
      stream.off("close", done);
      resolve(dropped);
    };
    const drop = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > maxBytes) done();
    };
    const timer = setTimeout(done, timeoutMs);
    stream.on("data", drop);
    stream.once("end", done);
    stream.once("error", done);
    stream.once("close", done);
    stream.resume();
  });
}

/** How often the body's arrival rate is checked, and how late a check may be before it is skipped. */
const rateCheckMs = 500;
const rateGraceMs = 1000;

export interface BodyLimits {
  maxBodyBytes: number;
  bodyReadTimeoutMs: number;
  minBodyBytesPerSecond: number;
  /** Most bytes of a body over the limit read and dropped before answering 413; 4 x maxBodyBytes by default. */
  maxDiscardedBytes?: number;
}

/**
 * Reads the body as raw bytes (the signature covers them byte for byte), up to `maxBodyBytes`, within
 * `bodyReadTimeoutMs` and, after its first second, at `minBodyBytesPerSecond` on average; a slower
 * sender gets 408 and its connection closed, so a slow body holds its reserved bytes for seconds, not
 * for the whole timeout. A body over the limit gets 413 once up to `maxDiscardedBytes` of it are read
 * and dropped (within the same timeout), so that the sender reads the answer.
 */
export async function readRawBody(
  ctx: Koa.ParameterizedContext<WebhookState>,
  {
    maxBodyBytes,
    bodyReadTimeoutMs,
    minBodyBytesPerSecond,
    maxDiscardedBytes = 4 * maxBodyBytes,
  }: BodyLimits,
  logger: Logger,
): Promise<Buffer> {
  const { requestId } = ctx.state;
  const reading = getRawBody(ctx.req, { limit: maxBodyBytes, length: ctx.request.length });
  let received = 0;
  const count = (chunk: Buffer) => (received += chunk.length);
  ctx.req.on("data", count);
  const started = performance.now();
  let lastCheck = started;
  let timer: NodeJS.Timeout | undefined;
  let rateTimer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyReadTimeout()), bodyReadTimeoutMs);
    rateTimer = setInterval(() => {
      const now = performance.now();
      // A check that comes late follows a busy event loop, whose unread bytes are not counted yet.
      const late = now - lastCheck > rateCheckMs * 2;
      lastCheck = now;
      const elapsed = now - started;
      if (
        !late &&
        elapsed > rateGraceMs &&
        received < (minBodyBytesPerSecond * (elapsed - rateGraceMs)) / 1000
      )
        reject(new BodyReadTimeout());
    }, rateCheckMs);
  });
  try {
    return await Promise.race([reading, timedOut]);
  } catch (error) {
    if (error instanceof BodyReadTimeout) {
      // raw-body fails with "request aborted" once the connection is closed: nobody waits for it.
      reading.catch(() => undefined);
      logger.warn(
        {
          requestId,
          timeoutMs: bodyReadTimeoutMs,
          minBodyBytesPerSecond,
          received,
          length: ctx.request.length,
          ip: ctx.ip,
        },
        "body not received in time; answering 408 and closing the connection",
      );
      throw new WebhookRefusal(408, "body_timeout", "body not received in time", { Connection: "close" });
    }
    // raw-body's own error types, not their messages.
    const errorType = (error as { type?: string }).type;
    if (errorType === "request.aborted") {
      // The connection closed under the read: the client went away, or Node's request timeout closed it
      // and logged it once. Nobody hears this answer.
      logger.debug({ requestId, received, length: ctx.request.length }, "connection closed during the body");
      throw new WebhookRefusal(400, "bad_request", "body could not be read", { Connection: "close" });
    }
    if (errorType === "entity.too.large") {
      const discarded = await discardBody(
        ctx.req,
        maxDiscardedBytes,
        Math.max(0, bodyReadTimeoutMs - (performance.now() - started)),
      );
      logger.warn(
        { requestId, limit: maxBodyBytes, length: ctx.request.length, discarded },
        "body over the limit refused",
      );
      // The connection cannot carry another request after a body only partly read.
      throw new WebhookRefusal(413, "too_large", `body larger than ${maxBodyBytes} bytes`, {
        Connection: "close",
      });
    }
    logger.warn({ requestId, err: error }, "body could not be read");
    throw new WebhookRefusal(400, "bad_request", "body could not be read", { Connection: "close" });
  } finally {
    clearTimeout(timer);
    clearInterval(rateTimer);
    ctx.req.off("data", count);
  }
}
