import getRawBody from "raw-body";
import type { Logger } from "../../runtime/logger";
import { WebhookRefusal } from "./webhook-answer";
import type { WebhookMiddleware } from "./webhook-request";

class BodyReadTimeout extends Error {}

/**
 * Reads the body as raw bytes (the signature covers them byte for byte), up to `maxBodyBytes` and
 * within `bodyReadTimeoutMs`; a slower sender gets 408 and its connection closed.
 */
export function readRawBody({
  maxBodyBytes,
  bodyReadTimeoutMs,
  logger,
}: {
  maxBodyBytes: number;
  bodyReadTimeoutMs: number;
  logger: Logger;
}): WebhookMiddleware {
  return async (ctx, next) => {
    const { requestId } = ctx.state;
    const reading = getRawBody(ctx.req, { limit: maxBodyBytes, length: ctx.request.length });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BodyReadTimeout()), bodyReadTimeoutMs);
    });
    try {
      ctx.state.body = await Promise.race([reading, timedOut]);
    } catch (error) {
      if (error instanceof BodyReadTimeout) {
        // raw-body fails with "request aborted" once the connection is closed: nobody waits for it.
        reading.catch(() => undefined);
        logger.warn(
          { requestId, timeoutMs: bodyReadTimeoutMs, length: ctx.request.length, ip: ctx.ip },
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
        throw new WebhookRefusal(413, "too_large", `body larger than ${maxBodyBytes} bytes`);
      }
      logger.warn({ requestId, err: error }, "body could not be read");
      throw new WebhookRefusal(400, "bad_request", "body could not be read");
    } finally {
      clearTimeout(timer);
    }
    await next();
  };
}
