import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import type { WebhookCredentials } from "../configuration/webhook-credentials";
import { signBody } from "../domain/signature";
import { requireSignatureHeader, requireValidSignature } from "./signature-check";
import { answerRefusals } from "./webhook-answer";
import type { WebhookState } from "./webhook-request";

describe("requireValidSignature", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  let credentials: WebhookCredentials = {
    appSecrets: ["old", "new"],
    verifyTokens: [],
    source: "environment",
  };
  const passed: string[] = [];
  const body = Buffer.from('{"object":"whatsapp_business_account"}');
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const app = new Koa<WebhookState>();
    app.use(async (ctx, next) => {
      ctx.state.requestId = "request-1";
      ctx.state.body = body;
      await next();
    });
    app.use(answerRefusals(metrics));
    app.use(requireValidSignature({ credentials: () => credentials, metrics, logger }));
    app.use((ctx) => {
      passed.push(ctx.state.signatureHeader);
      ctx.status = 204;
    });
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    passed.length = 0;
  });

  const post = (signature?: string) =>
    fetch(server.url, { method: "POST", headers: signature ? { "x-hub-signature-256": signature } : {} });

  it("lets through a body signed with any current app secret", async () => {
    expect((await post(signBody(body, "old"))).status).toBe(204);
    expect((await post(signBody(body, "new"))).status).toBe(204);
    expect(passed).toEqual([signBody(body, "old"), signBody(body, "new")]);
  });

  it("reads the secrets on every request, so a rotation applies at once", async () => {
    credentials = { ...credentials, appSecrets: ["newer"] };
    expect((await post(signBody(body, "newer"))).status).toBe(204);
    expect((await post(signBody(body, "old"))).status).toBe(401);
    credentials = { ...credentials, appSecrets: ["old", "new"] };
  });

  it.each([
    ["missing", undefined],
    ["malformed", "sha1=abc"],
    ["mismatch", signBody(body, "someone else's")],
  ])(
    "refuses a %s signature with 401, logged with its reason, never the signature",
    async (reason, signature) => {
      const before = await counted(metrics.signatureFailures, { reason });
      const response = await post(signature);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe("invalid X-Hub-Signature-256");
      expect(passed).toEqual([]);
      expect(lines).toEqual([
        {
          level: 40,
          time: expect.any(Number),
          pid: expect.any(Number),
          hostname: expect.any(String),
          requestId: "request-1",
          reason,
          ip: expect.any(String),
          bytes: body.length,
          msg: "signature refused; nothing written",
        },
      ]);
      expect(await counted(metrics.signatureFailures, { reason })).toBe(before + 1);
    },
  );
});

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
    app.use(answerRefusals(metrics));
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
