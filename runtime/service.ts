import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { NodeSDK } from "@opentelemetry/sdk-node";
import Koa from "koa";
import type { Registry } from "prom-client";
import { clientAddressFromTrustedProxies } from "./client-address";
import { within } from "./kafka-client";
import type { Logger } from "./logger";
import { healthRouter, operationsRouter, type ReadinessCheck } from "./operations-endpoints";

/** What a service adds to the bootstrap once its dependencies are connected. */
export interface ServiceParts {
  /** Routes served beside /healthz (the ingress's webhook). */
  routes?: Koa.Middleware;
  readiness: ReadinessCheck;
  /** Sees the public server once the parts are started (the ingress counts its connections from then). */
  watchServer?(server: Server): void;
  /** Releases the service's own resources, after the HTTP server stopped taking requests. */
  stop(): Promise<void>;
}

export interface RunningService {
  port: number;
  /** Port of /readyz and /metrics: `port` unless the service has an operations listener. */
  operationsPort: number;
  /** Stops accepting, finishes requests in flight (up to the grace time), then stops the service's parts. */
  stop(): Promise<void>;
}

/** Node's own limits on a request's arrival (slow senders), for a server exposed to the internet. */
export interface ArrivalTimeouts {
  /** server.headersTimeout: longest wait for a request's headers. */
  headersTimeoutMs: number;
  /** server.requestTimeout: longest wait for a whole request, headers and body. */
  requestTimeoutMs: number;
}

export interface ServiceDefinition {
  name: string;
  port: number;
  host: string;
  /** A second listener for /readyz and /metrics, off the public port; without it they share `port`. */
  operations?: { port: number; host: string };
  logger: Logger;
  metrics: Registry;
  shutdownGraceMs: number;
  /** Proxies (addresses or CIDR blocks) whose X-Forwarded-For names the client; none by default. */
  trustedProxies?: readonly string[];
  arrivalTimeouts?: ArrivalTimeouts;
  /** Connects the service's dependencies and returns its parts; throws to refuse to start. */
  start(): Promise<ServiceParts>;
}

/**
 * The one start-up every service shares: one HTTP server with the service's routes and the operations
 * endpoints (or two: public routes and /healthz, then /readyz and /metrics on the operations listener),
 * and a stop that drains requests before releasing the parts. The servers listen before the parts start,
 * so /healthz (liveness) answers while the service connects and joins its groups; until the parts are
 * there, /readyz answers 503 and any other request 503 with Retry-After.
 */
export async function startService(definition: ServiceDefinition): Promise<RunningService> {
  const { logger } = definition;
  let parts: ServiceParts | undefined;
  const operations = operationsRouter(definition.metrics, async () =>
    parts ? parts.readiness() : { started: false },
  );

  const app = quietApp(logger);
  const trustedProxies = definition.trustedProxies ?? [];
  app.proxy = trustedProxies.length > 0;
  app.use(clientAddressFromTrustedProxies(trustedProxies));
  app.use((ctx, next) => {
    if (parts?.routes) return parts.routes(ctx, next);
    // No connection from before the start outlives it, uncounted by watchServer.
    if (!parts) ctx.set("Connection", "close");
    return next();
  });
  const publicOperations = definition.operations ? healthRouter() : operations;
  app.use(publicOperations.routes()).use(publicOperations.allowedMethods());
  app.use((ctx, next) => {
    if (parts) return next();
    ctx.status = 503;
    ctx.set("Retry-After", "5");
    ctx.body = { status: "starting" };
  });
  const server = createHttpServer(app, logger, definition.arrivalTimeouts);
  const port = await listen(server, definition.port, definition.host);
  logger.info({ port, host: definition.host }, `${definition.name} listening`);

  let operationsServer: Server | undefined;
  let operationsPort = port;
  try {
    if (definition.operations) {
      const operationsApp = quietApp(logger);
      operationsApp.use(operations.routes()).use(operations.allowedMethods());
      operationsServer = createHttpServer(operationsApp, logger);
      operationsPort = await listen(operationsServer, definition.operations.port, definition.operations.host);
      logger.info(
        { port: operationsPort, host: definition.operations.host },
        `${definition.name} operations endpoints listening`,
      );
    }
    parts = await definition.start();
  } catch (error) {
    // A refused start leaves no listener behind (a caller in the same process goes on).
    for (const listening of [server, operationsServer]) {
      listening?.close();
      listening?.closeAllConnections();
    }
    throw error;
  }
  parts.watchServer?.(server);
  const started = parts;

  return {
    port,
    operationsPort,
    stop: async () => {
      operationsServer?.close();
      operationsServer?.closeAllConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await within(closed, definition.shutdownGraceMs, undefined);
      server.closeAllConnections();
      await started.stop();
    },
  };
}

/** A Koa app whose errors are logged as one JSON line, not Koa's multi-line stack on stderr. */
function quietApp(logger: Logger): Koa {
  const app = new Koa();
  app.silent = true;
  app.on("error", (error: Error & { status?: number; expose?: boolean }, ctx?: Koa.Context) => {
    // As Koa's own onerror: client errors (404, exposed 4xx) are answers, not failures.
    if (error.status === 404 || error.expose) return;
    logger.error(
      { err: error, method: ctx?.method, path: ctx?.path, requestId: ctx?.state?.requestId },
      "request failed",
    );
  });
  return app;
}

/** Node's answers to a request that never arrived whole, as its default handler gives them, logged. */
const clientErrorAnswers: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
  HPE_HEADER_OVERFLOW: "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n",
};

function createHttpServer(app: Koa, logger: Logger, timeouts?: ArrivalTimeouts): Server {
  const server = createServer(
    timeouts
      ? {
          headersTimeout: timeouts.headersTimeoutMs,
          requestTimeout: timeouts.requestTimeoutMs,
          // Node checks the two timeouts on this period (30 s by default, too coarse for them).
          connectionsCheckingInterval: 1000,
        }
      : {},
    app.callback(),
  );
  server.keepAliveTimeout = 65_000;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    // A client that went away is not worth a line.
    if (error.code !== "ECONNRESET") {
      logger.warn(
        { code: error.code, ip: socket.remoteAddress },
        error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? "request not received in time; connection closed"
          : "malformed request; connection closed",
      );
    }
    const answering = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
    if (!socket.writable || answering?.headersSent) return void socket.destroy();
    const answer =
      clientErrorAnswers[error.code ?? ""] ?? "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
    socket.end(answer, () => socket.destroy());
  });
  return server;
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  return (server.address() as AddressInfo).port;
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
