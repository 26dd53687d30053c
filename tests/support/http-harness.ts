import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import type Koa from "koa";
import pino from "pino";
import { Registry, type Counter } from "prom-client";
import { createIngressMetrics, type IngressMetrics } from "../../ingress/http/ingress-metrics";
import type { Logger } from "../../runtime/logger";

/** A Koa app listening on 127.0.0.1 on a free port, for unit tests that send real HTTP requests. */
export async function serve(app: Koa): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger whose lines are kept, parsed, in `lines`. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}

/** The ingress's metrics on a registry of their own. */
export function freshIngressMetrics(): IngressMetrics {
  return createIngressMetrics(new Registry());
}

/** A counter's value for exactly these labels (0 when the series does not exist). */
export async function counted<L extends string>(
  counter: Counter<L>,
  labels: Partial<Record<L, string>>,
): Promise<number> {
  const { values } = await counter.get();
  const series = values.find((value) =>
    Object.entries(labels).every(([name, expected]) => value.labels[name as L] === expected),
  );
  return series?.value ?? 0;
}
