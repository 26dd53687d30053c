import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import { statusDelivery, statusObject, wamid } from "../../tests/fixtures/meta-webhooks";
import { signBody } from "../domain/signature";
import type { ParsedDelivery } from "../domain/delivery-parser";
import { IngressLoad } from "./admission";
import { EventLoopTurns } from "./event-loop-turns";
import { createWebhookRoutes, webhookPath } from "./webhook-routes";

describe("createWebhookRoutes", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  const published: ParsedDelivery[] = [];
  let kafkaAcknowledges = true;
  let credentialsFail = false;
  const koaErrors: unknown[] = [];
  const load = new IngressLoad();
  let server: Awaited<ReturnType<typeof serve>>;
  const appSecret = "app-secret";
  const body = Buffer.from(
    JSON.stringify(statusDelivery([statusObject(wamid("routes"), "read", 1750263774)])),
  );

  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    app.on("error", (error) => koaErrors.push(error));
    app.use(
      createWebhookRoutes({
        credentials: {
          current: () => {
            if (credentialsFail) throw new Error("credentials cache not started");
            return { appSecrets: [appSecret], verifyTokens: ["verify-token"], source: "environment" };
          },
        },
        publisher: {
          publish: async (delivery) => {
            if (!kafkaAcknowledges) throw new Error("no leader");
            published.push(delivery);
            return 2;
          },
        },
        turns: new EventLoopTurns(),
        metrics,
        logger,
        maxBodyBytes: 1024,
        bodyReadTimeoutMs: 5000,
        minBodyBytesPerSecond: 1,
        load,
        maxConnections: 8,
        maxDeliveriesInFlight: 16,
        maxTurnWaitMs: 2000,
        maxProduceBacklogBytes: 1_000_000,
        maxBodyBytesInFlight: 4096,
        trustTraceparent: false,
      }),
    );
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    published.length = 0;
    kafkaAcknowledges = true;
    credentialsFail = false;
    load.bodyBytesInFlight = 0;
  });

  const post = (
    payload: Buffer,
    signature: string | null = signBody(payload, appSecret),
    path = webhookPath,
  ) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(signature ? { "x-hub-signature-256": signature } : {}),
      },
      body: payload,
    });

  it("echoes the verification challenge for a verify token, and refuses others", async () => {
    const ok = await fetch(
      `${server.url}${webhookPath}?hub.mode=subscribe&hub.verify_token=verify-token&hub.challenge=1158201444`,
    );
    expect([
      ok.status,
      await ok.text(),
      ok.headers.get("content-type"),
      ok.headers.get("x-content-type-options"),
    ]).toEqual([200, "1158201444", "text/plain; charset=utf-8", "nosniff"]);
    const wrong = await fetch(
      `${server.url}${webhookPath}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    );
    expect([wrong.status, await wrong.text()]).toEqual([403, "verification refused"]);
    const missing = await fetch(`${server.url}${webhookPath}/?hub.mode=subscribe`);
    expect(missing.status).toBe(400);
    expect(lines.map((line) => [line.status, line.msg])).toEqual([
      [403, "verification handshake refused"],
      [400, "verification handshake refused"],
    ]);
    expect(await counted(metrics.requests, { outcome: "handshake_ok" })).toBe(1);
    expect(await counted(metrics.requests, { outcome: "handshake_refused" })).toBe(1);
    expect(await counted(metrics.requests, { outcome: "handshake_bad_request" })).toBe(1);
  });

  it("answers a signed delivery 200 EVENT_RECEIVED after publishing it, with the id its records carry", async () => {
    for (const path of [webhookPath, `${webhookPath}/`]) {
      const response = await post(body, undefined, path);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("EVENT_RECEIVED");
      expect(response.headers.get("x-request-id")).toBe(published.at(-1)?.raw.value.requestId);
    }
    expect(published.map((delivery) => delivery.raw.value.body)).toEqual([body, body]);
    expect(published[0]!.raw.value.requestId).not.toBe(published[1]!.raw.value.requestId);
  });

  it("puts X-Request-Id on every refused POST: 401 before and after the body, 413, 503", async () => {
    const refused = [
      await post(body, null),
      await post(body, signBody(body, "not our secret")),
      await post(Buffer.alloc(1025, "x")),
      await ((kafkaAcknowledges = false), post(body)),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 413, 503]);
    for (const response of refused) {
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
    expect(refused[3]!.headers.get("retry-after")).toBe("5");
    expect(published).toEqual([]);
    expect(lines.map((line) => line.msg)).toEqual([
      "signature refused before reading the body; connection closed, nothing written",
      "signature refused; nothing written",
      "body over the limit refused",
      "delivery not acknowledged by Kafka; answering 503 so Meta retries",
    ]);
  });

  it("answers 503 with Retry-After and X-Request-Id over capacity, before reading, and publishes nothing", async () => {
    load.bodyBytesInFlight = 4096 - body.length + 1;
    const response = await post(body);
    expect([response.status, response.headers.get("retry-after")]).toEqual([503, "5"]);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(published).toEqual([]);
    expect(await counted(metrics.requests, { outcome: "over_capacity" })).toBe(1);
  });

  it("answers an unexpected failure of a step 500 with X-Request-Id, logged once and counted as outcome error", async () => {
    credentialsFail = true;
    const before = await counted(metrics.requests, { outcome: "error" });
    const response = await post(body);
    expect([response.status, await response.text()]).toEqual([500, "internal error"]);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        requestId,
        err: expect.objectContaining({ message: "credentials cache not started" }),
        msg: "unexpected failure; answering 500",
      }),
    ]);
    expect(await counted(metrics.requests, { outcome: "error" })).toBe(before + 1);
    expect(published).toEqual([]);
    expect(koaErrors).toEqual([]);
    expect((await metrics.inFlight.get()).values[0]?.value).toBe(0);
    expect(load.bodyBytesInFlight).toBe(0);
  });

  it("answers other methods 405 with Allow: GET, POST", async () => {
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const response = await fetch(`${server.url}${webhookPath}`, { method });
      expect([response.status, response.headers.get("allow"), await response.text()]).toEqual([
        405,
        "GET, POST",
        "method not allowed",
      ]);
    }
  });

  it("leaves the operations endpoints to the service, and counts no request in flight afterwards", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await metrics.inFlight.get()).values[0]?.value).toBe(0);
  });
});
