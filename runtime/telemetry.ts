import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { loadDotenvFile } from "./settings";

/**
 * Starts OpenTelemetry for one service: HTTP instrumentation plus the service's own (`extra`), W3C
 * trace context, export over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT. Must run before the
 * instrumented libraries are loaded, so each service's main.ts imports its telemetry module first.
 */
export function startTelemetry(serviceName: string, extra: Instrumentation[] = []): NodeSDK {
  loadDotenvFile();
  const endpoint = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "http://127.0.0.1:4318").replace(/\/$/, "");
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    traceExporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes are not webhooks; keep them out of the traces.
        ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz|metrics)/.test(request.url ?? ""),
        // The exporter's own calls and the registry's lookups would otherwise trace themselves.
        ignoreOutgoingRequestHook: () => true,
      }),
      ...extra,
    ],
  });
  sdk.start();
  return sdk;
}
