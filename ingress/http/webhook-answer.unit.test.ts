import Koa from "koa";
import { counted, freshIngressMetrics, serve } from "../../tests/support/http-harness";
import { answerRefusals, WebhookRefusal } from "./webhook-answer";

describe("answerRefusals", () => {
  const metrics = freshIngressMetrics();
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(answerRefusals(metrics));
    app.use((ctx) => {
      if (ctx.path === "/refused")
        throw new WebhookRefusal(503, "unavailable", "try later", { "Retry-After": "5" });
      throw new Error("a bug");
    });
    server = await serve(app);
  });
  afterAll(() => server.close());

  it("answers a refusal with its status, plain-text body and headers, counted by outcome", async () => {
    const response = await fetch(`${server.url}/refused`);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.text()).toBe("try later");
    expect(await counted(metrics.requests, { outcome: "unavailable" })).toBe(1);
  });

  it("lets any other error through to Koa (500), uncounted", async () => {
    const response = await fetch(`${server.url}/bug`);
    expect(response.status).toBe(500);
    expect((await metrics.requests.get()).values.map((value) => value.labels.outcome)).toEqual([
      "unavailable",
    ]);
  });
});
