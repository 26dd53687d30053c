import getRawBody from "raw-body";
import type { Logger } from "../../runtime/logger";
import { WebhookRefusal } from "./webhook-answer";
import type { WebhookMiddleware } from "./webhook-request";

/** Reads the body as raw bytes (the signature covers them byte for byte), up to `maxBodyBytes`. */
export function readRawBody({
  maxBodyBytes,
  logger,
}: {
  maxBodyBytes: number;
  logger: Logger;
}): WebhookMiddleware {
  return async (ctx, next) => {
    const { requestId } = ctx.state;
    try {
      ctx.state.body = await getRawBody(ctx.req, { limit: maxBodyBytes, length: ctx.request.length });
    } catch (error) {
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
    }
    await next();
  };
}
