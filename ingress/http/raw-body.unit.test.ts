import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import { readRawBody } from "./raw-body";
import { answerRefusals } from "./webhook-answer";
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
    app.use(answerRefusals(metrics));
    app.use(readRawBody({ maxBodyBytes: 16, logger }));
    app.use((ctx) => {
      received.push(ctx.state.body);
      ctx.status = 204;
    });
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    received.length = 0;
  });

  it("hands the next step the body byte for byte", async () => {
    const response = await fetch(server.url, { method: "POST", body: '{"é": 1}' });
    expect(response.status).toBe(204);
    expect(received).toEqual([Buffer.from('{"é": 1}')]);
  });

  it("refuses a body over the limit with 413, logged once, and goes no further", async () => {
    const response = await fetch(server.url, { method: "POST", body: "x".repeat(17) });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe("body larger than 16 bytes");
    expect(received).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: "request-1",
        limit: 16,
        length: 17,
        msg: "body over the limit refused",
      }),
    ]);
    expect(await counted(metrics.requests, { outcome: "too_large" })).toBe(1);
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
});
