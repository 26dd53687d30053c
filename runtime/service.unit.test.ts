import { Registry } from "prom-client";
import { recordingLogger } from "../tests/support/http-harness";
import { startService, type RunningService } from "./service";

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
