import { request } from "node:http";
import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import { readRawBody } from "./raw-body";
import { answerFailures } from "./webhook-answer";
import type { WebhookState } from "./webhook-request";

describe("readRawBody", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  const received: Buffer[] = [];
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const app = new Koa<WebhookState>();
    app.use(async (ctx, next) => {
      ctx.state.requestId = "request-1";
      // A stream already decoding to text is one raw-body refuses to read as bytes.
      if (ctx.path === "/decoded") ctx.req.setEncoding("utf8");
      await next();
    });
    app.use(answerFailures({ metrics, logger }));
    app.use(async (ctx) => {
      received.push(
        await readRawBody(
          ctx,
          { maxBodyBytes: 16, bodyReadTimeoutMs: 300, minBodyBytesPerSecond: 1 },
          logger,
        ),
      );
      ctx.status = 204;
    });
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    received.length = 0;
  });

  it("returns the body byte for byte", async () => {
    const response = await fetch(server.url, { method: "POST", body: '{"é": 1}' });
    expect(response.status).toBe(204);
    expect(received).toEqual([Buffer.from('{"é": 1}')]);
  });

  it("refuses a body over the limit with 413, logged once, and goes no further", async () => {
    const response = await fetch(server.url, { method: "POST", body: "x".repeat(17) });
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
    expect(await response.text()).toBe("body larger than 16 bytes");
    expect(received).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: "request-1",
        limit: 16,
        length: 17,
        discarded: 17,
        msg: "body over the limit refused",
      }),
    ]);
    expect(await counted(metrics.requests, { outcome: "too_large" })).toBe(1);
  });

  it("reads at most four times the limit of a refused body before it answers", async () => {
    const response = await fetch(server.url, { method: "POST", body: "x".repeat(100_000) });
    expect(response.status).toBe(413);
    const [line] = lines;
    expect(line).toMatchObject({ length: 100_000, msg: "body over the limit refused" });
    expect((line as unknown as { discarded: number }).discarded).toBeGreaterThan(64);
    expect((line as unknown as { discarded: number }).discarded).toBeLessThan(100_000);
  });

  it("refuses a body it cannot read with 400", async () => {
    const response = await fetch(`${server.url}/decoded`, { method: "POST", body: "{}" });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe("body could not be read");
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, requestId: "request-1", msg: "body could not be read" }),
    ]);
    expect(await counted(metrics.requests, { outcome: "bad_request" })).toBe(1);
  });

  it("answers a body slower than the read timeout 408, closes the connection, and logs it once", async () => {
    const { port } = new URL(server.url);
    const outcome = await new Promise<{ status?: number; connection?: string; closed: boolean }>(
      (resolve) => {
        const slow = request({ port, method: "POST", headers: { "content-length": "10" } }, (response) => {
          response.resume();
          response.on("end", () =>
            resolve({ status: response.statusCode, connection: response.headers.connection, closed: false }),
          );
        });
        slow.on("error", () => resolve({ closed: true }));
        slow.write("{}"); // 2 of the 10 bytes announced, then nothing
      },
    );
    expect(outcome).toEqual({ status: 408, connection: "close", closed: false });
    expect(received).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: "request-1",
        timeoutMs: 300,
        msg: "body not received in time; answering 408 and closing the connection",
      }),
    ]);
    expect(await counted(metrics.requests, { outcome: "body_timeout" })).toBe(1);
  });

  it("cuts a body arriving below the minimum rate long before the read timeout", async () => {
    const app = new Koa<WebhookState>();
    app.use(async (ctx, next) => {
      ctx.state.requestId = "request-2";
      await next();
    });
    app.use(answerFailures({ metrics, logger }));
    app.use(async (ctx) => {
      await readRawBody(
        ctx,
        { maxBodyBytes: 1_000_000, bodyReadTimeoutMs: 20_000, minBodyBytesPerSecond: 1_000 },
        logger,
      );
      ctx.status = 204;
    });
    const slowServer = await serve(app);
    const { port } = new URL(slowServer.url);
    const started = Date.now();
    const status = await new Promise<number | undefined>((resolve) => {
      const slow = request({ port, method: "POST", headers: { "content-length": "100000" } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      slow.on("error", () => resolve(undefined));
      // 100 bytes a second against 1,000 wanted.
      const drip = setInterval(() => slow.write("x".repeat(10)), 100);
      slow.on("close", () => clearInterval(drip));
      setTimeout(() => clearInterval(drip), 10_000);
    });
    await slowServer.close();
    expect(status).toBe(408);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
