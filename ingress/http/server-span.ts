import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type Koa from "koa";

/**
 * The webhook's HTTP server span, made here rather than by @opentelemetry/instrumentation-http: that
 * instrumentation wraps every request and response of the process and cost the ingress about a tenth of
 * its throughput (docs/benchmarks.md), for one route whose span this middleware makes with the same
 * semantic-convention attributes. A caller's W3C `traceparent` is continued only when `trustTraceparent`
 * is set (a caller we trust); otherwise the span starts a new trace, linked to the caller's context. The
 * handler runs with the span active, so the delivery's `send` span and log lines belong to it. Failures
 * are answered inside it (answerFailures), so the span ends with the status sent.
 */
export function serverSpan(
  tracer: Tracer,
  route: string,
  { trustTraceparent }: { trustTraceparent: boolean },
): Koa.Middleware {
  return async (ctx, next) => {
    const callers = propagation.extract(ROOT_CONTEXT, ctx.req.headers);
    const callerSpan = trace.getSpanContext(callers);
    const parent = trustTraceparent ? callers : ROOT_CONTEXT;
    const span = tracer.startSpan(
      `${ctx.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": ctx.method,
          "http.route": route,
          "url.path": ctx.path,
          "url.scheme": ctx.protocol,
          "server.address": ctx.hostname,
          "client.address": ctx.ip,
          "network.protocol.version": ctx.req.httpVersion,
          "user_agent.original": ctx.get("user-agent"),
        },
        links: !trustTraceparent && callerSpan ? [{ context: callerSpan }] : [],
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      span.setAttribute("http.response.status_code", ctx.status);
      // Server spans are errors for 5xx only: a refused signature is the server doing its job.
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${ctx.status}` });
      span.end();
    }
  };
}
