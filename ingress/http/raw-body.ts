import getRawBody from "raw-body";
import type { Logger } from "../../runtime/logger";
import { WebhookRefusal } from "./webhook-answer";
import type { WebhookMiddleware } from "./webhook-request";

class BodyReadTimeout extends Error {}

/** How often the body's arrival rate is checked, and how late a check may be before it is skipped. */
const rateCheckMs = 500;
const rateGraceMs = 1000;

/**
 * Reads the body as raw bytes (the signature covers them byte for byte), up to `maxBodyBytes`, within
 * `bodyReadTimeoutMs` and, after its first second, at `minBodyBytesPerSecond` on average; a slower
 * sender gets 408 and its connection closed, so a slow body holds its reserved bytes for seconds, not
 * for the whole timeout.
 */
export function readRawBody({
  maxBodyBytes,
  bodyReadTimeoutMs,
  minBodyBytesPerSecond,
  logger,
}: {
  maxBodyBytes: number;
  bodyReadTimeoutMs: number;
  minBodyBytesPerSecond: number;
  logger: Logger;
}): WebhookMiddleware {
  return async (ctx, next) => {
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
      ctx.state.body = await Promise.race([reading, timedOut]);
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
      // raw-body's own error type, not its message.
      if ((error as { type?: string }).type === "entity.too.large") {
        logger.warn(
          { requestId, limit: maxBodyBytes, length: ctx.request.length },
          "body over the limit refused",
        );
        // The rest of the body is not read: the connection cannot carry another request after it.
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
    await next();
  };
}
