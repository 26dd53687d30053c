import { getNumberFromEnv } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace";
import { loadDotenvFile } from "./settings";

/**
 * Starts OpenTelemetry for one service: the service's own instrumentations (`extra`), W3C trace context, export over OTLP/HTTP in protobuf (cheaper to encode than OTLP/JSON) to
 * OTEL_EXPORTER_OTLP_ENDPOINT. Must run before the instrumented libraries are loaded, so each service's
 * main.ts imports its telemetry module first.
 *
 * Spans are batched with a queue sized for the ingress at full load (a few thousand spans/s): the
 * SDK's default 2,048 dropped spans between exports. OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_SCHEDULE_DELAY
 * and OTEL_BSP_MAX_EXPORT_BATCH_SIZE still override these defaults.
 */
export function startTelemetry(serviceName: string, extra: Instrumentation[] = []): NodeSDK {
  loadDotenvFile();
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: createTraceExporter(),
        maxQueueSize: getNumberFromEnv("OTEL_BSP_MAX_QUEUE_SIZE") ?? 16_384,
        maxExportBatchSize: getNumberFromEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") ?? 1_024,
        scheduledDelayMillis: getNumberFromEnv("OTEL_BSP_SCHEDULE_DELAY") ?? 1_000,
      }),
    ],
    instrumentations: [...extra],
  });
  sdk.start();
  return sdk;
}

/**
 * The exporter of every service, to OTEL_EXPORTER_OTLP_ENDPOINT. The exporter reads the other standard
 * variables itself: OTEL_EXPORTER_OTLP_HEADERS (an observability vendor's API key), and
 * OTEL_EXPORTER_OTLP_CERTIFICATE, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY.
 */
export function createTraceExporter(): OTLPTraceExporter {
  const endpoint = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "http://127.0.0.1:4318").replace(/\/$/, "");
  return new OTLPTraceExporter({ url: `${endpoint}/v1/traces` });
}
