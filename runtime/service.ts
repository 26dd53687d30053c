import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  createServer as createNetServer,
  type AddressInfo,
  type ListenOptions,
  type Server as NetServer,
  type Socket,
} from "node:net";
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
  /**
   * Answers a public request itself, before the app, when it returns true (the ingress's refusals over
   * capacity, which a flood makes most requests): no Koa context, no span.
   */
  answerEarly?(req: IncomingMessage, res: ServerResponse): boolean;
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
  /** Connections the kernel queues for each listening socket of the public port (Node's default: 511). */
  listenBacklog?: number;
  /**
   * Listening sockets of the public port, one by default. libuv accepts one connection per socket and
   * turn of the event loop, so while turns are long a burst of new connections waits in the kernel's
   * queue; more sockets accept more per turn. Above one they share the port through SO_REUSEPORT (Linux),
   * the kernel spreading new connections over them, and hand their connections to the one HTTP server.
   */
  listenSockets?: number;
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
  const appCallback = app.callback();
  const answeredEarly = (req: IncomingMessage, res: ServerResponse): boolean => {
    try {
      return parts?.answerEarly?.(req, res) ?? false;
    } catch (error) {
      // Nothing catches a throw in the request event: the app answers instead (500 if it fails too).
      logger.error({ err: error, method: req.method, path: req.url }, "early answer failed");
      return res.headersSent;
    }
  };
  const server = createHttpServer(
    (req, res) => void (answeredEarly(req, res) || appCallback(req, res)),
    logger,
    definition.arrivalTimeouts,
  );
  const connections = openConnections(server);
  const sockets = definition.listenSockets ?? 1;
  const listening = { host: definition.host, backlog: definition.listenBacklog, reusePort: sockets > 1 };
  const port = await listen(server, { ...listening, port: definition.port });
  const acceptors = await Promise.all(
    Array.from({ length: sockets - 1 }, () => listenAcceptor(server, { ...listening, port })),
  );
  logger.info({ port, host: definition.host, sockets }, `${definition.name} listening`);

  let operationsServer: Server | undefined;
  let operationsPort = port;
  try {
    if (definition.operations) {
      const operationsApp = quietApp(logger);
      operationsApp.use(operations.routes()).use(operations.allowedMethods());
      operationsServer = createHttpServer(operationsApp.callback(), logger);
      operationsPort = await listen(operationsServer, {
        port: definition.operations.port,
        host: definition.operations.host,
      });
      logger.info(
        { port: operationsPort, host: definition.operations.host },
        `${definition.name} operations endpoints listening`,
      );
    }
    parts = await definition.start();
  } catch (error) {
    // A refused start leaves no listener behind (a caller in the same process goes on).
    for (const acceptor of acceptors) acceptor.close();
    for (const listener of [server, operationsServer]) {
      listener?.close();
      listener?.closeAllConnections();
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
      for (const acceptor of acceptors) acceptor.close();
      server.close();
      server.closeIdleConnections();
      await within(connections.allClosed(), definition.shutdownGraceMs, undefined);
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

function createHttpServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  logger: Logger,
  timeouts?: ArrivalTimeouts,
): Server {
  const server = createServer(
    timeouts
      ? {
          headersTimeout: timeouts.headersTimeoutMs,
          requestTimeout: timeouts.requestTimeoutMs,
          // Node checks the two timeouts on this period (30 s by default, too coarse for them).
          connectionsCheckingInterval: 1000,
        }
      : {},
    handle,
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

async function listen(server: NetServer, options: ListenOptions): Promise<number> {
  server.listen(options);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  return (server.address() as AddressInfo).port;
}

/** Another listening socket on the HTTP server's port (SO_REUSEPORT), handing the connections it accepts to it. */
async function listenAcceptor(server: Server, options: ListenOptions): Promise<NetServer> {
  // As the HTTP server's own sockets: half-open allowed (it ends its side itself), no Nagle delay.
  const acceptor = createNetServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
    server.emit("connection", socket),
  );
  await listen(acceptor, options);
  return acceptor;
}

/**
 * The HTTP server's open connections, whichever socket accepted them (the server's own count, which
 * its close callback waits for, leaves out those handed to it).
 */
function openConnections(server: Server): { allClosed(): Promise<void> } {
  const open = new Set<Socket>();
  const emptied: (() => void)[] = [];
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => {
      open.delete(socket);
      if (open.size === 0) for (const resolve of emptied.splice(0)) resolve();
    });
  });
  return {
    allClosed: () => new Promise<void>((resolve) => (open.size === 0 ? resolve() : emptied.push(resolve))),
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
