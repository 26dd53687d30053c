import type Koa from "koa";
import type { Logger } from "../../runtime/logger";
import type { ConfigCache } from "../configuration/config-cache";
import { answerHandshake } from "../domain/verification-handshake";
import type { IngressMetrics } from "./ingress-metrics";
import { sendAnswer, WebhookRefusal } from "./webhook-answer";

export interface HandshakeDependencies {
  credentials: Pick<ConfigCache, "current">;
  metrics: IngressMetrics;
  logger: Logger;
}

/** Meta's GET: echoes the challenge for one of our verify tokens, refuses (403, 400) otherwise. */
export function verificationHandshake({
  credentials,
  metrics,
  logger,
}: HandshakeDependencies): Koa.Middleware {
  return (ctx) => {
    const { status, body } = answerHandshake(ctx.query, credentials.current().verifyTokens);
    if (status === 200) return sendAnswer(ctx, metrics, { status, body, outcome: "handshake_ok" });
    logger.warn({ status, mode: ctx.query["hub.mode"], ip: ctx.ip }, "verification handshake refused");
    throw new WebhookRefusal(status, status === 403 ? "handshake_refused" : "handshake_bad_request", body);
  };
}
