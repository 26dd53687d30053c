import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { NodeSDK } from "@opentelemetry/sdk-node";
import Koa from "koa";
import type { Registry } from "prom-client";
import { within } from "./kafka-client";
import type { Logger } from "./logger";
import { operationsRouter, type ReadinessCheck } from "./operations-endpoints";

/** What a service adds to the bootstrap once its dependencies are connected. */
export interface ServiceParts {
  /** Routes served beside /healthz, /readyz and /metrics (the ingress's webhook). */
  routes?: Koa.Middleware;
  readiness: ReadinessCheck;
  /** Releases the service's own resources, after the HTTP server stopped taking requests. */
  stop(): Promise<void>;
}

export interface RunningService {
  port: number;
  /** Stops accepting, finishes requests in flight (up to the grace time), then stops the service's parts. */
  stop(): Promise<void>;
}

export interface ServiceDefinition {
  name: string;
  port: number;
  host: string;
  logger: Logger;
  metrics: Registry;
  shutdownGraceMs: number;
  /** Whether X-Forwarded-For names the client (behind a proxy the deployment trusts). */
  trustProxy?: boolean;
  /** Connects the service's dependencies and returns its parts; throws to refuse to start. */
  start(): Promise<ServiceParts>;
}

/**
 * The one start-up every service shares: its parts, then one HTTP server with the service's routes and
 * the operations endpoints, and a stop that drains requests before releasing the parts.
 */
export async function startService(definition: ServiceDefinition): Promise<RunningService> {
  const parts = await definition.start();
  const app = new Koa();
  app.proxy = definition.trustProxy ?? false;
  if (parts.routes) app.use(parts.routes);
  const operations = operationsRouter(definition.metrics, parts.readiness);
  app.use(operations.routes()).use(operations.allowedMethods());

  const server: Server = app.listen(definition.port, definition.host);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const port = (server.address() as AddressInfo).port;
  definition.logger.info({ port, host: definition.host }, `${definition.name} listening`);

  return {
    port,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await within(closed, definition.shutdownGraceMs, undefined);
      server.closeAllConnections();
      await parts.stop();
    },
  };
}

/** Stops the service gracefully on SIGTERM or SIGINT, flushes telemetry, and exits. */
export function stopOnSignals(running: RunningService, logger: Logger, telemetry: NodeSDK): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: no new requests, finishing the work in hand");
    await running.stop();
    await telemetry.shutdown().catch(() => undefined);
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

/** Runs a process's main function; a failure to start prints its reason and exits with 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
