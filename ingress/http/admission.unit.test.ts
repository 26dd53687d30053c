import { createServer } from "node:http";
import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import { admitWithinCapacity, boundReached, IngressLoad, requireSignatureHeader } from "./admission";
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

describe("boundReached", () => {
  const bounds = {
    maxConnections: 10,
    maxDeliveriesInFlight: 4,
    maxTurnWaitMs: 2000,
    maxProduceBacklogBytes: 1000,
    maxBodyBytesInFlight: 100,
  };
  const idle = {
    openConnections: 1,
    deliveriesInFlight: 0,
    turnWaitMs: 0,
    produceBacklogBytes: 0,
    bodyBytesInFlight: 0,
  };

  it.each([
    ["nothing, with room everywhere", idle, 100, undefined],
    [
      "nothing, at every bound but none over",
      {
        openConnections: 10,
        deliveriesInFlight: 3,
        turnWaitMs: 2000,
        produceBacklogBytes: 1000,
        bodyBytesInFlight: 60,
      },
      40,
      undefined,
    ],
    ["the connections, over the cap", { ...idle, openConnections: 11 }, 1, "connections"],
    [
      "the deliveries in flight, at the bound (the new one would be one more)",
      { ...idle, deliveriesInFlight: 4 },
      1,
      "deliveries_in_flight",
    ],
    ["the wait for a turn, over its longest", { ...idle, turnWaitMs: 2001 }, 1, "turn_wait"],
    ["the produce backlog, over its bytes", { ...idle, produceBacklogBytes: 1001 }, 1, "produce_backlog"],
    ["the body bytes, when this body would go over", { ...idle, bodyBytesInFlight: 60 }, 41, "body_bytes"],
    [
      "the first bound in order when several are reached",
      {
        openConnections: 11,
        deliveriesInFlight: 4,
        turnWaitMs: 2001,
        produceBacklogBytes: 1001,
        bodyBytesInFlight: 100,
      },
      1,
      "connections",
    ],
    [
      "the deliveries before the wait, the backlog and the bytes",
      { ...idle, deliveriesInFlight: 9, turnWaitMs: 5000, produceBacklogBytes: 5000, bodyBytesInFlight: 100 },
      1,
      "deliveries_in_flight",
    ],
    [
      "the wait before the backlog and the bytes",
      { ...idle, turnWaitMs: 5000, produceBacklogBytes: 5000, bodyBytesInFlight: 100 },
      1,
      "turn_wait",
    ],
  ] as const)("names %s", (_case, load, bodyBytes, expected) => {
    expect(boundReached(load, bounds, bodyBytes)).toBe(expected);
  });
});

describe("admitWithinCapacity", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  let backlog = 0;
  let turnWait = 0;
  const load = new IngressLoad({ turnWaitMs: () => turnWait, produceBacklogBytes: () => backlog });
  const whileHandled: { deliveries: number; bytes: number }[] = [];
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
        maxDeliveriesInFlight: 3,
        maxTurnWaitMs: 1000,
        maxProduceBacklogBytes: 500,
        maxBodyBytesInFlight: 100,
        maxBodyBytes: 60,
        bodyReadTimeoutMs: 5000,
        metrics,
        logger,
      }),
    );
    app.use((ctx) => {
      whileHandled.push({ deliveries: load.deliveriesInFlight, bytes: load.bodyBytesInFlight });
      ctx.status = 204;
    });
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    whileHandled.length = 0;
    load.openConnections = 1;
    load.deliveriesInFlight = 0;
    load.bodyBytesInFlight = 0;
    backlog = 0;
    turnWait = 0;
  });

  const post = (body: string) => fetch(server.url, { method: "POST", body });
  const answer = async (response: Response) => [
    response.status,
    response.headers.get("retry-after"),
    response.headers.get("connection"),
    await response.text(),
  ];

  it("holds a place in flight and the body's Content-Length while the request is handled, and frees both after", async () => {
    load.deliveriesInFlight = 2;
    load.bodyBytesInFlight = 40;
    expect((await post("x".repeat(50))).status).toBe(204);
    expect(whileHandled).toEqual([{ deliveries: 3, bytes: 90 }]);
    expect([load.deliveriesInFlight, load.bodyBytesInFlight]).toEqual([2, 40]);
    expect((await metrics.deliveriesInFlight.get()).values[0]?.value).toBe(2);
    expect((await metrics.bodyBytesInFlight.get()).values[0]?.value).toBe(40);
  });

  it.each([
    ["deliveries_in_flight", (): void => void (load.deliveriesInFlight = 3)],
    ["turn_wait", (): void => void (turnWait = 1001)],
    ["produce_backlog", (): void => void (backlog = 501)],
    ["body_bytes", (): void => void (load.bodyBytesInFlight = 60)],
  ] as const)(
    "answers 503 with Retry-After over %s, before the handler, keeping the connection",
    async (limit, reach) => {
      reach();
      const before = { deliveries: load.deliveriesInFlight, bytes: load.bodyBytesInFlight };
      const refusalsBefore = await counted(metrics.capacityRefusals, { limit });
      expect(await answer(await post("x".repeat(41)))).toEqual([
        503,
        "5",
        "keep-alive",
        "over capacity, retry later",
      ]);
      expect(whileHandled).toEqual([]);
      expect({ deliveries: load.deliveriesInFlight, bytes: load.bodyBytesInFlight }).toEqual(before);
      expect(await counted(metrics.capacityRefusals, { limit })).toBe(refusalsBefore + 1);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 40,
          requestId: "request-1",
          limit,
          refusals: 1,
          msg: "over capacity; answering 503 so the sender retries",
        }),
      ]);
    },
  );

  it("answers 503 over the open connections once the body is in, and closes the connection", async () => {
    load.openConnections = 3;
    const before = await counted(metrics.requests, { outcome: "over_capacity" });
    expect(await answer(await post("{}"))).toEqual([503, "5", "close", "over capacity, retry later"]);
    expect(await counted(metrics.capacityRefusals, { limit: "connections" })).toBe(1);
    expect(await counted(metrics.requests, { outcome: "over_capacity" })).toBe(before + 1);
  });

  it("logs one line per bound and second under a flood of refusals, the next one counting those in between", async () => {
    const refusedLines = () => lines.filter((line) => line.limit === "deliveries_in_flight");
    load.deliveriesInFlight = 3;
    // A period may have begun in an earlier test: wait for the next one.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (let i = 0; i < 5; i++) expect((await post("{}")).status).toBe(503);
    expect(refusedLines().map((line) => line.refusals)).toEqual([1]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await post("{}")).status).toBe(503);
    expect(refusedLines().map((line) => line.refusals)).toEqual([1, 5]);
  });
});

describe("IngressLoad", () => {
  it("reads the wait for a turn and the produce backlog from their sources at each look, 0 without", () => {
    let [wait, backlog] = [3, 7];
    const load = new IngressLoad({ turnWaitMs: () => wait, produceBacklogBytes: () => backlog });
    expect([load.turnWaitMs, load.produceBacklogBytes]).toEqual([3, 7]);
    [wait, backlog] = [5, 9];
    expect([load.turnWaitMs, load.produceBacklogBytes]).toEqual([5, 9]);
    expect([new IngressLoad().turnWaitMs, new IngressLoad().produceBacklogBytes]).toEqual([0, 0]);
  });

  it("counts the public server's connections as they open and close, and leaves idle ones open", async () => {
    const counting = new IngressLoad();
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = String(counting.openConnections);
    });
    const watched = createServer(app.callback());
    counting.watch(watched);
    await new Promise<void>((resolve) => watched.listen(0, "127.0.0.1", resolve));
    const { port } = watched.address() as { port: number };
    const { Agent, request } = await import("node:http");
    // One keep-alive connection per agent, each left idle after its answer.
    const agents = [1, 2, 3].map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
    const get = (agent: InstanceType<typeof Agent>) =>
      new Promise<string>((resolve, reject) =>
        request({ port, agent }, (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => (body += chunk.toString()));
          response.on("end", () => resolve(body));
        })
          .on("error", reject)
          .end(),
      );
    try {
      const answers: string[] = [];
      for (const agent of agents) answers.push(await get(agent));
      expect(answers).toEqual(["1", "2", "3"]);
      // Closing an idle keep-alive connection races with the request its client may be sending.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(counting.openConnections).toBe(3);
    } finally {
      for (const agent of agents) agent.destroy();
      await new Promise<void>((resolve) => watched.close(() => resolve()));
    }
    // The server's close callback can come before its sockets' own close events.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counting.openConnections).toBe(0);
  });
});
