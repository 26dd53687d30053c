import { trace } from "@opentelemetry/api";
import type Koa from "koa";
import type { Logger } from "../../runtime/logger";
import type { IngressMetrics, RequestOutcome } from "./ingress-metrics";

export interface WebhookAnswer {
  status: number;
  body: string;
  outcome: RequestOutcome;
}

/** Every webhook answer is plain text (never sniffed as anything else) and counted by its outcome. */
export function sendAnswer(ctx: Koa.Context, metrics: IngressMetrics, answer: WebhookAnswer): void {
  ctx.status = answer.status;
  ctx.type = "text/plain";
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.body = answer.body;
  metrics.requests.inc({ outcome: answer.outcome });
}

/** A request the webhook refuses: thrown by the step that finds out, answered by answerFailures. */
export class WebhookRefusal extends Error implements WebhookAnswer {
  constructor(
    readonly status: number,
    readonly outcome: RequestOutcome,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(body);
    this.name = "WebhookRefusal";
  }
}

const unexpectedFailure: WebhookAnswer = { status: 500, body: "internal error", outcome: "error" };

/**
 * The one exit for failures, as Koa's own: a WebhookRefusal becomes its answer (already logged by the
 * step that refused); any other error is answered 500, logged once here and counted as outcome
 * `error`, so that Koa's default handler never answers a webhook request.
 */
export function answerFailures({
  metrics,
  logger,
}: {
  metrics: IngressMetrics;
  logger: Logger;
}): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof WebhookRefusal) {
        ctx.set(error.headers);
        return sendAnswer(ctx, metrics, error);
      }
      // The server span outside this exit sees the 500 and marks itself failed; it keeps the exception too.
      trace.getActiveSpan()?.recordException(error as Error);
      logger.error(
        { requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, err: error },
        "unexpected failure; answering 500",
      );
      sendAnswer(ctx, metrics, unexpectedFailure);
    }
  };
}
