import type Koa from "koa";
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

/** A request the webhook refuses: thrown by the middleware that finds out, answered by answerRefusals. */
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

/** The one exit for refusals: a WebhookRefusal becomes its answer; any other error goes on up (500). */
export function answerRefusals(metrics: IngressMetrics): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof WebhookRefusal)) throw error;
      ctx.set(error.headers);
      sendAnswer(ctx, metrics, error);
    }
  };
}
