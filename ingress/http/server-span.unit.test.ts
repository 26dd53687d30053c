import { propagation } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import Koa from "koa";
import { serve } from "../../tests/support/http-harness";
import { serverSpan } from "./server-span";

describe("serverSpan", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const callersTraceId = "0af7651916cd43dd8448eb211c80319c";
  const traceparent = `00-${callersTraceId}-b7ad6b7169203331-01`;

  // As the services' telemetry start-up registers it.
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  const spanFor = async (trustTraceparent: boolean) => {
    exporter.reset();
    const app = new Koa();
    app.use(serverSpan(provider.getTracer("test"), "/hook", { trustTraceparent }));
    app.use((ctx) => {
      ctx.status = 204;
    });
    const server = await serve(app);
    try {
      await fetch(`${server.url}/hook`, { method: "POST", headers: { traceparent } });
    } finally {
      await server.close();
    }
    return exporter.getFinishedSpans()[0]!;
  };

  it("starts a new trace by default, linked to the caller's context", async () => {
    const span = await spanFor(false);
    expect(span.spanContext().traceId).not.toBe(callersTraceId);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.links.map((link) => link.context.traceId)).toEqual([callersTraceId]);
    expect(span.attributes["http.response.status_code"]).toBe(204);
  });

  it("continues the caller's trace when told to trust it", async () => {
    const span = await spanFor(true);
    expect(span.spanContext().traceId).toBe(callersTraceId);
    expect(span.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(span.links).toEqual([]);
  });
});
