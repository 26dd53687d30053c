import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import {
  envelope,
  inboundDelivery,
  messagesChange,
  otherFieldChanges,
  PHONE_NUMBER_ID,
  statusObject,
  WABA_ID,
  wamid,
} from "../../tests/fixtures/meta-webhooks";
import {
  phoneOnlyTextMessage,
  unknownValueField,
  untypedObjects,
} from "../../tests/fixtures/identity-webhooks";
import { deliveryTopics, topicContracts } from "../../contracts/topics";
import type { WebhookCredentials } from "../configuration/webhook-credentials";
import { parseDelivery, type ParsedDelivery } from "../domain/delivery-parser";
import { signBody } from "../domain/signature";
import { DeliveryEncodingError } from "../kafka/delivery-publisher";
import { answerFailures } from "./webhook-answer";
import { deliverySpanAttributes, receiveDelivery } from "./webhook-delivery";
import type { WebhookState } from "./webhook-request";

const received = (body: string, contentType: string | null = "application/json") => ({
  requestId: "request-1",
  receivedAt: 1750263780000,
  body: Buffer.from(body),
  signatureHeader: signBody(body, "new"),
  contentType,
});

const twoStatusesAndABusinessEvent = JSON.stringify(
  envelope([
    messagesChange({
      statuses: [
        statusObject(wamid("p1"), "sent", 1750263774),
        statusObject(wamid("p2"), "delivered", 1750263775),
      ],
    }),
    otherFieldChanges[0]!,
  ]),
);

/** Every topic label the ingress counts records under, each at zero. */
const noEvents = Object.fromEntries(
  deliveryTopics.map(({ topic }) => [topicContracts[topic].metricLabel, 0]),
);

describe("receiveDelivery", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  let credentials: WebhookCredentials = {
    appSecrets: ["old", "new"],
    verifyTokens: [],
    source: "environment",
  };
  let publish: (delivery: ParsedDelivery) => Promise<number>;
  const published: ParsedDelivery[] = [];
  /** Each delivery's turn, given by the test when it holds them back. */
  let holdTurns = false;
  const heldTurns: (() => void)[] = [];
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const app = new Koa<WebhookState>();
    app.use(answerFailures({ metrics, logger }));
    app.use(async (ctx, next) => {
      ctx.state.requestId = "request-1";
      ctx.state.receivedAt = 1750263780000;
      await next();
    });
    app.use(
      receiveDelivery({
        credentials: { current: () => credentials },
        publisher: {
          publish: (delivery) => {
            published.push(delivery);
            return publish(delivery);
          },
        },
        turns: {
          next: () =>
            holdTurns ? new Promise<void>((resolve) => heldTurns.push(resolve)) : Promise.resolve(),
        },
        metrics,
        logger,
        maxBodyBytes: 1_000_000,
        bodyReadTimeoutMs: 5000,
        minBodyBytesPerSecond: 1,
      }),
    );
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    published.length = 0;
    publish = async () => 1;
    metrics.requests.reset();
    metrics.events.reset();
    metrics.untypedObjects.reset();
  });

  const post = (
    body: string,
    options: { secret?: string; signature?: string | null; contentType?: string | null } = {},
  ) => {
    const signature =
      options.signature === undefined ? signBody(body, options.secret ?? "new") : options.signature;
    const contentType = options.contentType === undefined ? "application/json" : options.contentType;
    return fetch(server.url, {
      method: "POST",
      headers: {
        ...(contentType ? { "content-type": contentType } : {}),
        ...(signature ? { "x-hub-signature-256": signature } : {}),
      },
      // Bytes, not a string: fetch gives a string body a content type of its own.
      body: Buffer.from(body),
    });
  };

  it("verifies, parses and publishes a body only once its turn of the event loop comes", async () => {
    holdTurns = true;
    try {
      const answer = post(twoStatusesAndABusinessEvent);
      while (heldTurns.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(published).toEqual([]);
      heldTurns.shift()!();
      expect((await answer).status).toBe(200);
      expect(published).toHaveLength(1);
    } finally {
      holdTurns = false;
    }
  });

  describe("signature", () => {
    const body = JSON.stringify({ object: "whatsapp_business_account" });

    it("lets through a body signed with any current app secret", async () => {
      expect((await post(body, { secret: "old" })).status).toBe(200);
      expect((await post(body, { secret: "new" })).status).toBe(200);
      expect(published.map((delivery) => delivery.raw.value.signatureHeader)).toEqual([
        signBody(body, "old"),
        signBody(body, "new"),
      ]);
    });

    it("reads the secrets on every request, so a rotation applies at once", async () => {
      credentials = { ...credentials, appSecrets: ["newer"] };
      try {
        expect((await post(body, { secret: "newer" })).status).toBe(200);
        expect((await post(body, { secret: "old" })).status).toBe(401);
      } finally {
        credentials = { ...credentials, appSecrets: ["old", "new"] };
      }
    });

    it.each([
      ["missing", null],
      ["malformed", "sha1=abc"],
      ["mismatch", signBody(body, "someone else's")],
    ])(
      "refuses a %s signature with 401, logged with its reason, never the signature, and publishes nothing",
      async (reason, signature) => {
        const before = await counted(metrics.signatureFailures, { reason });
        const response = await post(body, { signature });
        expect(response.status).toBe(401);
        expect(await response.text()).toBe("invalid X-Hub-Signature-256");
        expect(published).toEqual([]);
        expect(lines).toEqual([
          {
            level: 40,
            time: expect.any(Number),
            pid: expect.any(Number),
            hostname: expect.any(String),
            requestId: "request-1",
            reason,
            ip: expect.any(String),
            bytes: Buffer.byteLength(body),
            msg: "signature refused; nothing written",
          },
        ]);
        expect(await counted(metrics.signatureFailures, { reason })).toBe(before + 1);
        expect(await counted(metrics.requests, { outcome: "signature_refused" })).toBe(1);
      },
    );
  });

  it("parses the signed body with the request's id, arrival and content type (null when absent)", async () => {
    const body = JSON.stringify(
      inboundDelivery({ id: "wamid.1", timestamp: "1750263780", type: "text", text: { body: "hi" } }),
    );
    await post(body);
    await post(body, { contentType: null });
    expect(published.map((delivery) => delivery.raw.value.contentType)).toEqual(["application/json", null]);
    expect(published[0]).toEqual(parseDelivery(received(body)));
    expect(published[0]!.inboundMessages).toHaveLength(1);
  });

  it("answers 200 EVENT_RECEIVED only once publish resolved, and counts records by the catalogue's labels", async () => {
    let acknowledge: () => void = () => undefined;
    publish = () => new Promise((resolve) => (acknowledge = () => resolve(4)));
    let answered = false;
    const answer = post(twoStatusesAndABusinessEvent).then((response) => {
      answered = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(published).toHaveLength(1);
    expect(answered).toBe(false);
    acknowledge();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toBe("EVENT_RECEIVED");
    expect(await counted(metrics.requests, { outcome: "accepted" })).toBe(1);
    const events = Object.fromEntries(
      (await metrics.events.get()).values.map((value) => [value.labels.topic, value.value]),
    );
    expect(events).toEqual({
      ...noEvents,
      raw: 1,
      status: 2,
      business: 1,
      template: 1,
    });
    expect(lines).toEqual([]);
  });

  it("answers 200 for a signed body of unknown shape, counted apart and logged as flagged", async () => {
    const response = await post("not json");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("EVENT_RECEIVED");
    expect(await counted(metrics.requests, { outcome: "accepted_unrecognized" })).toBe(1);
    expect(await counted(metrics.requests, { outcome: "accepted" })).toBe(0);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        requestId: "request-1",
        problem: expect.stringMatching(/^body is not JSON/),
        msg: "signed body kept in the raw topic, flagged",
      }),
    ]);
  });

  it("answers 503 with Retry-After when Kafka does not acknowledge, logged once as an error", async () => {
    publish = () => Promise.reject(new Error("Kafka did not acknowledge within 5000 ms"));
    const response = await post(twoStatusesAndABusinessEvent);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.text()).toBe("event log unavailable, retry later");
    expect(await counted(metrics.requests, { outcome: "unavailable" })).toBe(1);
    expect((await metrics.events.get()).values).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        requestId: "request-1",
        wabaId: published[0]!.raw.value.wabaId,
        err: expect.objectContaining({ message: "Kafka did not acknowledge within 5000 ms" }),
        msg: "delivery not acknowledged by Kafka; answering 503 so Meta retries",
      }),
    ]);
  });

  it("writes the raw record alone, flagged, and answers 200 when an event does not fit its schema", async () => {
    publish = async (delivery) => {
      if (delivery.statuses.length > 0) throw new DeliveryEncodingError('invalid "long": 1e400');
      return 1;
    };
    const response = await post(twoStatusesAndABusinessEvent);
    expect([response.status, await response.text()]).toEqual([200, "EVENT_RECEIVED"]);
    expect(published).toHaveLength(2);
    expect(published[1]!.raw.value).toMatchObject({
      requestId: "request-1",
      shapeRecognized: false,
      problem: 'events could not be encoded: invalid "long": 1e400',
      statusCount: 0,
    });
    expect(published[1]!.raw.value.body).toEqual(published[0]!.raw.value.body);
    expect([...published[1]!.statuses, ...published[1]!.businessEvents]).toEqual([]);
    expect(await counted(metrics.requests, { outcome: "accepted_unrecognized" })).toBe(1);
    const events = Object.fromEntries(
      (await metrics.events.get()).values.map((value) => [value.labels.topic, value.value]),
    );
    expect(events).toEqual({ ...noEvents, raw: 1 });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        problem: 'events could not be encoded: invalid "long": 1e400',
        msg: "signed body kept in the raw topic, flagged",
      }),
    ]);
  });

  describe("untyped objects", () => {
    const where = "entry[0].changes[0].value";

    it("counts each by field and reason and logs them in one warn line with the request id", async () => {
      expect((await post(JSON.stringify(untypedObjects()))).status).toBe(200);
      expect(await counted(metrics.untypedObjects, { field: "messages", reason: "missing_id" })).toBe(1);
      expect(await counted(metrics.untypedObjects, { field: "messages", reason: "missing_timestamp" })).toBe(
        1,
      );
      expect(await counted(metrics.untypedObjects, { field: "statuses", reason: "missing_id" })).toBe(1);
      expect((await metrics.untypedObjects.get()).values).toHaveLength(3);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 40,
          requestId: "request-1",
          wabaId: WABA_ID,
          untypedCount: 3,
          untyped: [
            { detail: `${where}.statuses[0]`, reason: "missing_id" },
            { detail: `${where}.messages[0]`, reason: "missing_id" },
            { detail: `${where}.messages[1]`, reason: "missing_timestamp" },
          ],
          msg: "objects of the delivery became no typed event; kept in the raw record and a business event",
        }),
      ]);
    });

    it("adds up over deliveries", async () => {
      await post(JSON.stringify(unknownValueField()));
      await post(JSON.stringify(unknownValueField()));
      expect(await counted(metrics.untypedObjects, { field: "value", reason: "unknown_key" })).toBe(2);
      expect(lines.map((line) => line.untyped)).toEqual([
        [{ detail: `${where}.conversation_insights`, reason: "unknown_key" }],
        [{ detail: `${where}.conversation_insights`, reason: "unknown_key" }],
      ]);
    });

    it("are neither counted nor logged when every object of the delivery is typed", async () => {
      await post(JSON.stringify(phoneOnlyTextMessage()));
      expect((await metrics.untypedObjects.get()).values).toEqual([]);
      expect(lines).toEqual([]);
    });

    it("are named at most 100 in the log line, and all counted", async () => {
      const body = untypedObjects();
      const value = (body.entry as { changes: { value: Record<string, unknown> }[] }[])[0]!.changes[0]!.value;
      value.messages = Array.from({ length: 150 }, () => ({ type: "text" }));
      value.statuses = [];
      await post(JSON.stringify(body));
      expect(await counted(metrics.untypedObjects, { field: "messages", reason: "missing_id" })).toBe(150);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ untypedCount: 150 });
      expect(lines[0]!.untyped).toHaveLength(100);
    });

    it("are not reported for a delivery Kafka did not acknowledge: Meta retries it", async () => {
      publish = () => Promise.reject(new Error("no leader"));
      expect((await post(JSON.stringify(untypedObjects()))).status).toBe(503);
      expect((await metrics.untypedObjects.get()).values).toEqual([]);
      expect(lines.map((line) => line.msg)).toEqual([
        "delivery not acknowledged by Kafka; answering 503 so Meta retries",
      ]);
    });
  });
});

describe("deliverySpanAttributes", () => {
  it("puts the delivery's ids and counts on the server span", () => {
    const body = JSON.stringify(
      inboundDelivery({ id: "wamid.2", timestamp: "1750263780", type: "text", text: { body: "hi" } }),
    );
    expect(deliverySpanAttributes(parseDelivery(received(body)))).toEqual({
      "whatsapp.request_id": "request-1",
      "whatsapp.waba_id": WABA_ID,
      "whatsapp.phone_number_id": PHONE_NUMBER_ID,
      "whatsapp.statuses": 0,
      "whatsapp.messages": 1,
      "whatsapp.other_changes": 0,
      "whatsapp.template_events": 0,
      "whatsapp.account_events": 0,
      "whatsapp.business_app_messages": 0,
      "whatsapp.call_events": 0,
      "whatsapp.group_events": 0,
      "whatsapp.user_preferences": 0,
      "whatsapp.payment_statuses": 0,
      "whatsapp.body_bytes": Buffer.byteLength(body),
      "whatsapp.shape_recognized": true,
    });
  });

  it("uses empty ids for a body of unknown shape", () => {
    const attributes = deliverySpanAttributes(parseDelivery(received("not json")));
    expect(attributes).toMatchObject({
      "whatsapp.waba_id": "",
      "whatsapp.phone_number_id": "",
      "whatsapp.shape_recognized": false,
    });
  });
});
