import type { Logger } from "../../runtime/logger";
import type { WebhookCredentials } from "../configuration/webhook-credentials";
import { verifySignature } from "../domain/signature";
import type { IngressMetrics } from "./ingress-metrics";
import { WebhookRefusal } from "./webhook-answer";
import type { WebhookMiddleware } from "./webhook-request";

export interface SignatureCheckDependencies {
  credentials: () => WebhookCredentials;
  metrics: IngressMetrics;
  logger: Logger;
}

/** Lets through only a body signed (X-Hub-Signature-256) with one of the current app secrets. */
export function requireValidSignature({
  credentials,
  metrics,
  logger,
}: SignatureCheckDependencies): WebhookMiddleware {
  return async (ctx, next) => {
    const { requestId, body } = ctx.state;
    const signatureHeader = ctx.get("x-hub-signature-256");
    const check = verifySignature(body, signatureHeader || undefined, credentials().appSecrets);
    if (!check.valid) {
      metrics.signatureFailures.inc({ reason: check.reason });
      logger.warn(
        { requestId, reason: check.reason, ip: ctx.ip, bytes: body.length },
        "signature refused; nothing written",
      );
      throw new WebhookRefusal(401, "signature_refused", "invalid X-Hub-Signature-256");
    }
    ctx.state.signatureHeader = signatureHeader;
    await next();
  };
}
