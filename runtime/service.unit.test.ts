import { Registry } from "prom-client";
import { eventually } from "../tests/support/event-producer";
import { recordingLogger } from "../tests/support/http-harness";
import { freePort } from "../tests/support/service-process";
import { startService, type RunningService, type ServiceDefinition, type ServiceParts } from "./service";

describe("startService", () => {
  const { logger, lines } = recordingLogger();
  let service: RunningService;
  let readinessChecks = 0;

  beforeAll(async () => {
    service = await startService({
      name: "test-service",
      port: 0,
      host: "127.0.0.1",
      operations: { port: 0, host: "127.0.0.1" },
      logger,
      metrics: new Registry(),
      shutdownGraceMs: 1000,
      arrivalTimeouts: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 },
      start: async () => ({
        routes: async (ctx, next) => {
          if (ctx.path !== "/fails") return next();
          ctx.state.requestId = "request-9";
          throw new Error("boom");
        },
        answerEarly: (req, res) => {
          if (req.url === "/early-throws") throw new Error("early boom");
          if (req.url !== "/early") return false;
          res.writeHead(202).end("answered before the app");
          return true;
        },
        readiness: async () => ({ dependency: ++readinessChecks > 0 }),
        stop: async () => undefined,
      }),
    });
  });
  afterAll(() => service.stop());

  const publicUrl = () => `http://127.0.0.1:${service.port}`;
  const operationsUrl = () => `http://127.0.0.1:${service.operationsPort}`;

  it("keeps /readyz and /metrics on the operations listener, /healthz on both", async () => {
    expect(service.operationsPort).not.toBe(service.port);
    expect((await fetch(`${publicUrl()}/healthz`)).status).toBe(200);
    expect((await fetch(`${publicUrl()}/readyz`)).status).toBe(404);
    expect((await fetch(`${publicUrl()}/metrics`)).status).toBe(404);
    expect((await fetch(`${operationsUrl()}/healthz`)).status).toBe(200);
    expect((await fetch(`${operationsUrl()}/metrics`)).status).toBe(200);
    const ready = await Promise.all([1, 2, 3].map(() => fetch(`${operationsUrl()}/readyz`)));
    expect(ready.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(readinessChecks).toBe(1);
  });

  it("lets the parts answer a request before the app, and the app the others", async () => {
    const early = await fetch(`${publicUrl()}/early`);
    expect([early.status, await early.text()]).toEqual([202, "answered before the app"]);
    expect((await fetch(`${publicUrl()}/healthz`)).status).toBe(200);
  });

  it("leaves a request to the app when the early answer throws, and logs the throw", async () => {
    lines.length = 0;
    expect((await fetch(`${publicUrl()}/early-throws`)).status).toBe(404);
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, path: "/early-throws", msg: "early answer failed" }),
    ]);
  });

  it("answers an unexpected error 500 and logs it as one JSON line with the request id", async () => {
    lines.length = 0;
    expect((await fetch(`${publicUrl()}/fails`)).status).toBe(500);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        requestId: "request-9",
        method: "GET",
        path: "/fails",
        err: expect.objectContaining({ message: "boom", stack: expect.stringContaining("Error: boom") }),
        msg: "request failed",
      }),
    ]);
  });
});

describe("startService, while the service's parts start", () => {
  const definition = (port: number, operationsPort: number, start: ServiceDefinition["start"]) => ({
    name: "slow-service",
    port,
    host: "127.0.0.1",
    operations: { port: operationsPort, host: "127.0.0.1" },
    logger: recordingLogger().logger,
    metrics: new Registry(),
    shutdownGraceMs: 1000,
    start,
  });

  it("answers /healthz at once, /readyz and the service's routes 503 until the parts are there", async () => {
    const [port, operationsPort] = [await freePort(), await freePort()];
    let partsReady!: (parts: ServiceParts) => void;
    const starting = startService(
      definition(port, operationsPort, () => new Promise<ServiceParts>((resolve) => (partsReady = resolve))),
    );
    const publicUrl = `http://127.0.0.1:${port}`;
    const operationsUrl = `http://127.0.0.1:${operationsPort}`;
    const health = await eventually(
      () => fetch(`${publicUrl}/healthz`).catch(() => undefined),
      (answer) => answer?.status === 200,
    );
    expect(await health!.json()).toEqual({ status: "alive" });
    expect((await fetch(`${operationsUrl}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${operationsUrl}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: "not ready", checks: { started: false } });
    const early = await fetch(`${publicUrl}/webhook`, { method: "POST", body: "{}" });
    expect([early.status, early.headers.get("retry-after"), early.headers.get("connection")]).toEqual([
      503,
      "5",
      "close",
    ]);

    partsReady({
      routes: async (ctx, next) => {
        if (ctx.path !== "/webhook") return next();
        ctx.body = "EVENT_RECEIVED";
      },
      readiness: async () => ({ dependency: true }),
      stop: async () => undefined,
    });
    const service = await starting;
    expect((await fetch(`${publicUrl}/webhook`, { method: "POST", body: "{}" })).status).toBe(200);
    // The readiness answer before the start is kept for its second at most.
    const ready = await eventually(
      () => fetch(`${operationsUrl}/readyz`),
      (answer) => answer.status === 200,
    );
    expect(await ready.json()).toEqual({ status: "ready", checks: { dependency: true } });
    await service.stop();
  });

  it("closes its listeners when the start is refused", async () => {
    const [port, operationsPort] = [await freePort(), await freePort()];
    await expect(
      startService(
        definition(port, operationsPort, async () => {
          throw new Error("refused");
        }),
      ),
    ).rejects.toThrow("refused");
    for (const listener of [port, operationsPort])
      await expect(fetch(`http://127.0.0.1:${listener}/healthz`)).rejects.toThrow();
  });
});

describe("startService, with several listening sockets", () => {
  it("serves each connection on one HTTP server, and finishes the requests in flight on all of them at stop", async () => {
    const { logger } = recordingLogger();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let counted = 0;
    const service = await startService({
      name: "accepting-service",
      port: 0,
      host: "127.0.0.1",
      listenSockets: 4,
      listenBacklog: 64,
      logger,
      metrics: new Registry(),
      shutdownGraceMs: 5000,
      start: async () => ({
        routes: async (ctx, next) => {
          if (ctx.path !== "/held") return next();
          await released;
          ctx.body = "done";
        },
        readiness: async () => ({}),
        watchServer: (server) => server.on("connection", () => counted++),
        stop: async () => undefined,
      }),
    });
    const { Agent, request } = await import("node:http");
    // One connection each: the kernel spreads them over the four sockets.
    const held = Array.from(
      { length: 24 },
      () =>
        new Promise<number>((resolve, reject) =>
          request({ port: service.port, path: "/held", agent: new Agent({ keepAlive: false }) }, (response) =>
            response.resume().on("end", () => resolve(response.statusCode!)),
          )
            .on("error", reject)
            .end(),
        ),
    );
    await eventually(
      async () => counted,
      (connections) => connections === 24,
    );
    let stopped = false;
    const stopping = service.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false);
    release();
    expect(await Promise.all(held)).toEqual(Array(24).fill(200));
    await stopping;
    await expect(fetch(`http://127.0.0.1:${service.port}/healthz`)).rejects.toThrow();
  });
});
