import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { waitForTrace } from "../support/jaeger";

// Proof that spans exported over OTLP/HTTP reach Jaeger and come back through its query API.
describe("Jaeger", () => {
  it("finds a span exported over OTLP through the query API", async () => {
    const serviceName = `stack-proof-${process.env.TEST_RUN_ID}`;
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": serviceName }),
      spanProcessors: [
        new SimpleSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` }),
        }),
      ],
    });
    const span = provider.getTracer("stack-proof").startSpan("probe-span", { attributes: { probe: "yes" } });
    const traceId = span.spanContext().traceId;
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    trace.disable();

    const found = await waitForTrace(traceId, (t) => t.spans.length >= 1);
    expect(found.spans.map((s) => s.operationName)).toEqual(["probe-span"]);
    expect(Object.values(found.processes).map((p) => p.serviceName)).toEqual([serviceName]);
  });
});
