import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { counted, freshIngressMetrics, recordingLogger } from "../../tests/support/http-harness";
import { IngressLoad, refusalLog } from "./admission";
import { refuseOverCapacityEarly } from "./early-refusal";

const path = "/webhook";
const signature = `sha256=${"a".repeat(64)}`;

describe("refuseOverCapacityEarly", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  let turnWait = 0;
  const load = new IngressLoad({ turnWaitMs: () => turnWait });
  const refuse = refuseOverCapacityEarly({
    load,
    path,
    maxConnections: 2,
    maxDeliveriesInFlight: 3,
    maxTurnWaitMs: 1000,
    maxProduceBacklogBytes: 500,
    maxBodyBytesInFlight: 1_000_000,
    maxBodyBytes: 200_000,
    bodyReadTimeoutMs: 5000,
    metrics,
    logger,
    logRefusal: refusalLog(logger, load),
  });
  /** Requests the app got: those the early refusal left to it. */
  const passedOn: string[] = [];
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (refuse(req, res)) return;
      passedOn.push(`${req.method} ${req.url}`);
      req.resume();
      req.on("end", () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    passedOn.length = 0;
    lines.length = 0;
    load.openConnections = 1;
    load.deliveriesInFlight = 0;
    turnWait = 0;
  });

  const post = (target = path, headers: Record<string, string> = { "x-hub-signature-256": signature }) =>
    fetch(`${url}${target}`, { method: "POST", headers, body: "{}" });

  it("leaves a POST within the bounds to the app", async () => {
    expect((await post()).status).toBe(204);
    expect(passedOn).toEqual([`POST ${path}`]);
  });

  it.each([
    ["deliveries_in_flight", (): void => void (load.deliveriesInFlight = 3)],
    ["turn_wait", (): void => void (turnWait = 1001)],
  ] as const)("answers 503 as the app would over %s, counted and logged", async (limit, reach) => {
    reach();
    const [refusals, requests] = [
      await counted(metrics.capacityRefusals, { limit }),
      await counted(metrics.requests, { outcome: "over_capacity" }),
    ];
    const response = await post();
    expect({
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      type: response.headers.get("content-type"),
      nosniff: response.headers.get("x-content-type-options"),
      requestId: response.headers.get("x-request-id"),
      body: await response.text(),
    }).toEqual({
      status: 503,
      retryAfter: "5",
      type: "text/plain; charset=utf-8",
      nosniff: "nosniff",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      body: "over capacity, retry later",
    });
    expect(passedOn).toEqual([]);
    expect(await counted(metrics.capacityRefusals, { limit })).toBe(refusals + 1);
    expect(await counted(metrics.requests, { outcome: "over_capacity" })).toBe(requests + 1);
    expect(lines).toEqual([expect.objectContaining({ level: 40, limit, refusals: 1 })]);
  });

  it.each([
    ["another path", () => post("/other")],
    ["a longer path", () => post(`${path}s`)],
    ["a GET", () => fetch(`${url}${path}`)],
    ["a missing signature header", () => post(path, {})],
    ["a malformed signature header", () => post(path, { "x-hub-signature-256": "sha256=zz" })],
  ])("leaves %s to the app, over a bound too", async (_what, send) => {
    load.deliveriesInFlight = 3;
    expect((await send()).status).toBe(204);
    expect(passedOn).toHaveLength(1);
  });

  it("leaves the connections bound to the app, which closes the connection once the body is in", async () => {
    load.openConnections = 3;
    expect((await post()).status).toBe(204);
    expect(passedOn).toHaveLength(1);
  });

  it.each([`${path}/`, `${path}?a=1`, `${path}/?a=1`])(
    "refuses %s as the router matches it",
    async (target) => {
      load.deliveriesInFlight = 3;
      expect((await post(target)).status).toBe(503);
    },
  );

  it("keeps the connection: a body it never read is dropped, and the next request on it is answered", async () => {
    load.deliveriesInFlight = 3;
    const body = "x".repeat(150_000);
    const request = `POST ${path} HTTP/1.1\r\nhost: test\r\nx-hub-signature-256: ${signature}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const socket = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.write(request + request);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`two answers not received: ${received}`)), 5000);
      socket.on("data", () => {
        if (received.split("HTTP/1.1 503").length === 3) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });
});
