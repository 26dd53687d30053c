import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { createTraceExporter } from "./telemetry";

// docs/operations.md (#tracing): an observability vendor's key goes in OTEL_EXPORTER_OTLP_HEADERS, which
// the services' exporter sends with every export to OTEL_EXPORTER_OTLP_ENDPOINT.
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

it("sends the headers of OTEL_EXPORTER_OTLP_HEADERS with every export", async () => {
  const received: { url?: string; headers: IncomingHttpHeaders }[] = [];
  const collector = createServer((request, response) => {
    received.push({ url: request.url, headers: request.headers });
    request
      .resume()
      .on("end", () => response.writeHead(200, { "content-type": "application/x-protobuf" }).end());
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  try {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
    // Values are URL-encoded, as the OpenTelemetry specification writes them (a space is %20).
    process.env.OTEL_EXPORTER_OTLP_HEADERS =
      "authorization=Basic%20dGVuYW50OmtleQ==,x-tenant=whatsapp-events";
    const provider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: createTraceExporter() })],
    });
    provider.getTracer("test").startSpan("probe").end();
    await provider.forceFlush();
    await provider.shutdown();
  } finally {
    collector.close();
  }

  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({
    url: "/v1/traces",
    headers: { authorization: "Basic dGVuYW50OmtleQ==", "x-tenant": "whatsapp-events" },
  });
});
