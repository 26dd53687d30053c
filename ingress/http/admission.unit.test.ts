import { createServer } from "node:http";
import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import { admitWithinCapacity, IngressLoad, requireSignatureHeader } from "./admission";
import { answerFailures } from "./webhook-answer";
import type { WebhookState } from "./webhook-request";

describe("requireSignatureHeader", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  let bodyRead = false;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const app = new Koa<WebhookState>();
    app.use(async (ctx, next) => {
      ctx.state.requestId = "request-2";
      await next();
    });
    app.use(answerFailures({ metrics, logger }));
    app.use(requireSignatureHeader({ metrics, logger }));
    app.use((ctx) => {
      bodyRead = true;
      ctx.status = 204;
    });
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    bodyRead = false;
  });

  const post = (signature?: string) =>
    fetch(server.url, {
      method: "POST",
      headers: signature ? { "x-hub-signature-256": signature } : {},
      body: "{}",
    });

  it.each([
    ["missing", undefined],
    ["malformed", "sha256=zz"],
    ["malformed", `sha256=${"a".repeat(63)}`],
  ])(
    "refuses a %s header with 401 before the body is read, closing the connection, logged once",
    async (reason, signature) => {
      const before = await counted(metrics.signatureFailures, { reason });
      const response = await post(signature);
      expect([response.status, response.headers.get("connection"), await response.text()]).toEqual([
        401,
        "close",
        "invalid X-Hub-Signature-256",
      ]);
      expect(bodyRead).toBe(false);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 40,
          requestId: "request-2",
          reason,
          ip: expect.any(String),
          length: 2,
          msg: "signature refused before reading the body; connection closed, nothing written",
        }),
      ]);
      expect(await counted(metrics.signatureFailures, { reason })).toBe(before + 1);
    },
  );

  it("lets a well-formed header through to the body (its value is checked once the body is read)", async () => {
    expect((await post(`sha256=${"0".repeat(64)}`)).status).toBe(204);
    expect(bodyRead).toBe(true);
  });
});

describe("admitWithinCapacity", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  const load = new IngressLoad();
  const reservedWhileHandled: number[] = [];
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const app = new Koa<WebhookState>();
    app.use(async (ctx, next) => {
      ctx.state.requestId = "request-1";
      await next();
    });
    app.use(answerFailures({ metrics, logger }));
    app.use(
      admitWithinCapacity({
        load,
        maxConnections: 2,
        maxBodyBytesInFlight: 100,
        maxBodyBytes: 60,
        metrics,
        logger,
      }),
    );
    app.use((ctx) => {
      reservedWhileHandled.push(load.bodyBytesInFlight);
      ctx.status = 204;
    });
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    reservedWhileHandled.length = 0;
    load.openConnections = 1;
    load.bodyBytesInFlight = 0;
  });

  const post = (body: string) => fetch(server.url, { method: "POST", body });

  it("reserves a body's Content-Length while the request is handled, and frees it after", async () => {
    load.bodyBytesInFlight = 40;
    expect((await post("x".repeat(50))).status).toBe(204);
    expect(reservedWhileHandled).toEqual([90]);
    expect(load.bodyBytesInFlight).toBe(40);
    expect((await metrics.bodyBytesInFlight.get()).values[0]?.value).toBe(40);
  });

  it("answers 503 with Retry-After, closing the connection, when the body would go over the bytes in flight", async () => {
    load.bodyBytesInFlight = 60;
    const response = await post("x".repeat(41));
    expect([
      response.status,
      response.headers.get("retry-after"),
      response.headers.get("connection"),
    ]).toEqual([503, "5", "close"]);
    expect(await response.text()).toBe("over capacity, retry later");
    expect(reservedWhileHandled).toEqual([]);
    expect(load.bodyBytesInFlight).toBe(60);
    expect(await counted(metrics.capacityRefusals, { limit: "body_bytes" })).toBe(1);
    expect(await counted(metrics.requests, { outcome: "over_capacity" })).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: "request-1",
        limit: "body_bytes",
        msg: "over capacity; answering 503 so the sender retries",
      }),
    ]);
  });

  it("answers 503 over the open connections", async () => {
    load.openConnections = 3;
    const response = await post("{}");
    expect([response.status, response.headers.get("retry-after")]).toEqual([503, "5"]);
    expect(await counted(metrics.capacityRefusals, { limit: "connections" })).toBe(1);
  });

  it("counts the public server's connections as they open and close", async () => {
    const counting = new IngressLoad();
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = String(counting.openConnections);
    });
    const watched = createServer(app.callback());
    counting.watch(watched, 10);
    await new Promise<void>((resolve) => watched.listen(0, "127.0.0.1", resolve));
    const { port } = watched.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: "close" } });
    expect(await response.text()).toBe("1");
    await new Promise<void>((resolve) => watched.close(() => resolve()));
    expect(counting.openConnections).toBe(0);
  });

  it("closes idle keep-alive connections when a new one takes the count over the cap", async () => {
    const counting = new IngressLoad();
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = "ok";
    });
    const watched = createServer(app.callback());
    counting.watch(watched, 3);
    await new Promise<void>((resolve) => watched.listen(0, "127.0.0.1", resolve));
    const { port } = watched.address() as { port: number };
    const { Agent, request } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const get = () =>
      new Promise<void>((resolve, reject) =>
        request({ port, agent }, (response) => response.resume().on("end", resolve))
          .on("error", reject)
          .end(),
      );
    // Three idle keep-alive connections, then a fourth: the idle ones are let go.
    await Promise.all([get(), get(), get()]);
    expect(counting.openConnections).toBe(3);
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
    const fourth = new Agent({ keepAlive: false });
    await new Promise<void>((resolve, reject) =>
      request({ port, agent: fourth }, (response) => response.resume().on("end", resolve))
        .on("error", reject)
        .end(),
    );
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
    expect(counting.openConnections).toBeLessThanOrEqual(1);
    agent.destroy();
    await new Promise<void>((resolve) => watched.close(() => resolve()));
  });
});
