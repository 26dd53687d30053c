import type { Logger } from "../../runtime/logger";
import type { WebhookCredentials } from "../configuration/webhook-credentials";
import { signatureHeaderProblem, verifySignature } from "../domain/signature";
import type { IngressMetrics } from "./ingress-metrics";
import { WebhookRefusal } from "./webhook-answer";
import type { WebhookMiddleware } from "./webhook-request";

export interface SignatureCheckDependencies {
  credentials: () => WebhookCredentials;
  metrics: IngressMetrics;
  logger: Logger;
}

/**
 * Refuses, before the body is read, a POST whose X-Hub-Signature-256 cannot be valid (missing, or not
 * `sha256=` and 64 hex digits). The connection is closed rather than the body drained: a sender who
 * did not sign gets none of our reading, however large or slow its body.
 */
export function requireSignatureHeader({
  metrics,
  logger,
}: Omit<SignatureCheckDependencies, "credentials">): WebhookMiddleware {
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
