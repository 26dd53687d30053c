import { AsyncLocalStorage } from "node:async_hooks";
import { context, ROOT_CONTEXT, SpanStatusCode, type Context, type ContextManager } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import { serverSpan } from "./server-span";
import { answerFailures, WebhookRefusal } from "./webhook-answer";

/** A context that follows awaits, as the services get from the NodeSDK, so the exit finds the server span. */
class AwaitedContext implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    active: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(active, () => fn.call(thisArg, ...args));
  }
  bind<T>(_active: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

describe("answerFailures", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const koaErrors: unknown[] = [];
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AwaitedContext());
    const app = new Koa();
    app.silent = true;
    app.on("error", (error) => koaErrors.push(error));
    app.use(serverSpan(provider.getTracer("test"), "/hook", { trustTraceparent: false }));
    app.use(answerFailures({ metrics, logger }));
    app.use((ctx) => {
      ctx.state.requestId = "request-1";
      ctx.set("X-Request-Id", "request-1");
      if (ctx.path === "/refused")
        throw new WebhookRefusal(503, "unavailable", "try later", { "Retry-After": "5" });
      throw new TypeError("Cannot read properties of undefined (reading 'appSecrets')");
    });
    server = await serve(app);
  });
  afterAll(async () => {
    context.disable();
    await server.close();
  });
  beforeEach(() => {
    lines.length = 0;
    exporter.reset();
    metrics.requests.reset();
  });

  it("answers a refusal with its status, plain-text body and headers, counted by outcome, not logged again", async () => {
    const response = await fetch(`${server.url}/refused`);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.text()).toBe("try later");
    expect(await counted(metrics.requests, { outcome: "unavailable" })).toBe(1);
    expect(lines).toEqual([]);
  });

  it("answers any other error 500, logs it once with the request id, and counts it as outcome error", async () => {
    const response = await fetch(`${server.url}/bug`, { method: "POST" });
    expect([
      response.status,
      response.headers.get("content-type"),
      response.headers.get("x-content-type-options"),
      response.headers.get("x-request-id"),
      await response.text(),
    ]).toEqual([500, "text/plain; charset=utf-8", "nosniff", "request-1", "internal error"]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        requestId: "request-1",
        method: "POST",
        path: "/bug",
        err: expect.objectContaining({
          type: "TypeError",
          message: "Cannot read properties of undefined (reading 'appSecrets')",
        }),
        msg: "unexpected failure; answering 500",
      }),
    ]);
    expect((await metrics.requests.get()).values.map(({ labels, value }) => [labels.outcome, value])).toEqual(
      [["error", 1]],
    );
    expect(koaErrors).toEqual([]);
  });

  it("leaves the server span failed with status 500 and the exception recorded", async () => {
    await fetch(`${server.url}/bug`, { method: "POST" });
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes["http.response.status_code"]).toBe(500);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events.map((event) => [event.name, event.attributes?.["exception.type"]])).toEqual([
      ["exception", "TypeError"],
    ]);
  });
});
