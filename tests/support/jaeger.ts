import { eventually } from "./event-producer";

/** The shape of a trace in Jaeger's query API (/api/traces/{id}), as far as tests read it. */
export interface JaegerTrace {
  traceID: string;
  spans: {
    spanID: string;
    operationName: string;
    processID: string;
    references: { refType: string; spanID: string; traceID: string }[];
    tags: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

/** Polls Jaeger's query API until the trace exists and `isComplete` holds, or fails after `timeoutMs`. */
export async function waitForTrace(
  traceId: string,
  isComplete: (trace: JaegerTrace) => boolean,
  timeoutMs = 30_000,
): Promise<JaegerTrace> {
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTrace | undefined;
  while (Date.now() < deadline) {
    const response = await fetch(`${process.env.JAEGER_QUERY_URL}/api/traces/${traceId}`);
    if (response.ok) {
      const body = (await response.json()) as { data?: JaegerTrace[] };
      last = body.data?.[0];
      if (last && isComplete(last)) return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `trace ${traceId} not complete in Jaeger within ${timeoutMs} ms; last seen: ${JSON.stringify(last?.spans.map((s) => s.operationName))}`,
  );
}

/** The id of the ingress's trace of one request (found by its `whatsapp.request_id` tag), within 30 s. */
export async function traceIdOfRequest(requestId: string): Promise<string> {
  const tags = encodeURIComponent(JSON.stringify({ "whatsapp.request_id": requestId }));
  return eventually(
    async () => {
      const response = await fetch(
        `${process.env.JAEGER_QUERY_URL}/api/traces?service=whatsapp-ingress&tags=${tags}&limit=1`,
      );
      const body = (await response.json()) as { data?: JaegerTrace[] };
      return body.data?.[0]?.traceID ?? "";
    },
    (traceId) => traceId !== "",
    30_000,
  );
}
