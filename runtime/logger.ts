import { trace } from "@opentelemetry/api";
import pino, { type Logger } from "pino";

/**
 * JSON logs to stdout (twelve-factor), each line carrying the active trace and span ids so a log line
 * leads to its trace in Jaeger. Secrets are redacted by key wherever they appear.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        "*.appSecret",
        "*.accessToken",
        "*.verifyToken",
        "appSecret",
        "accessToken",
        "verifyToken",
        '*.headers["x-hub-signature-256"]',
      ],
      censor: "[redacted]",
    },
    mixin() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {};
    },
  });
}

export type { Logger };
