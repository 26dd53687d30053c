import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import { inboundDelivery, PHONE_NUMBER_ID, WABA_ID } from "../../tests/fixtures/meta-webhooks";
import {
  phoneOnlyTextMessage,
  unknownValueField,
  untypedObjects,
} from "../../tests/fixtures/identity-webhooks";
import { parseDelivery, type ParsedDelivery } from "../domain/delivery-parser";
import { deliverySpanAttributes, parseSignedDelivery, reportUntypedObjects } from "./delivery-parsing";
import type { WebhookState } from "./webhook-request";

const received = (body: string) => ({
  requestId: "request-1",
  receivedAt: 1750263780000,
  body: Buffer.from(body),
  signatureHeader: "sha256=00",
  contentType: "application/json",
});

describe("parseSignedDelivery", () => {
  it("parses what the earlier steps read, with the request's content type (null when absent)", async () => {
    const parsed: ParsedDelivery[] = [];
    const body = JSON.stringify(
      inboundDelivery({ id: "wamid.1", timestamp: "1750263780", type: "text", text: { body: "hi" } }),
    );
    const app = new Koa<WebhookState>();
    app.use(async (ctx, next) => {
      Object.assign(ctx.state, received(body));
      await next();
    });
    app.use(parseSignedDelivery());
    app.use((ctx) => {
      parsed.push(ctx.state.delivery);
      ctx.status = 204;
    });
    const server = await serve(app);
    try {
      await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      await fetch(server.url);
    } finally {
      await server.close();
    }
    expect(parsed.map((delivery) => delivery.raw.value.contentType)).toEqual(["application/json", null]);
    expect(parsed[0]).toEqual(parseDelivery(received(body)));
    expect(parsed[0]!.inboundMessages).toHaveLength(1);
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

describe("reportUntypedObjects", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  let delivery: ParsedDelivery;
  let reachedNext = 0;
  let server: Awaited<ReturnType<typeof serve>>;
  const where = "entry[0].changes[0].value";

  beforeAll(async () => {
    const app = new Koa<WebhookState>();
    app.use(async (ctx, next) => {
      ctx.state.requestId = "request-1";
      ctx.state.delivery = delivery;
      await next();
    });
    app.use(reportUntypedObjects({ metrics, logger }));
    app.use((ctx) => {
      reachedNext++;
      ctx.status = 204;
    });
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    metrics.untypedObjects.reset();
  });

  const report = async (body: unknown) => {
    delivery = parseDelivery(received(JSON.stringify(body)));
    reachedNext = 0;
    expect((await fetch(server.url, { method: "POST" })).status).toBe(204);
    expect(reachedNext).toBe(1);
  };

  it("counts each untyped object by field and reason and logs them in one warn line with the request id", async () => {
    await report(untypedObjects());
    expect(await counted(metrics.untypedObjects, { field: "messages", reason: "missing_id" })).toBe(1);
    expect(await counted(metrics.untypedObjects, { field: "messages", reason: "missing_timestamp" })).toBe(1);
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
    await report(unknownValueField());
    await report(unknownValueField());
    expect(await counted(metrics.untypedObjects, { field: "value", reason: "unknown_key" })).toBe(2);
    expect(lines.map((line) => line.untyped)).toEqual([
      [{ detail: `${where}.conversation_insights`, reason: "unknown_key" }],
      [{ detail: `${where}.conversation_insights`, reason: "unknown_key" }],
    ]);
  });

  it("neither counts nor logs a delivery whose every object is typed", async () => {
    await report(phoneOnlyTextMessage());
    expect((await metrics.untypedObjects.get()).values).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("names at most 100 objects in the log line, and counts them all", async () => {
    const body = untypedObjects();
    const value = (body.entry as { changes: { value: Record<string, unknown> }[] }[])[0]!.changes[0]!.value;
    value.messages = Array.from({ length: 150 }, () => ({ type: "text" }));
    value.statuses = [];
    await report(body);
    expect(await counted(metrics.untypedObjects, { field: "messages", reason: "missing_id" })).toBe(150);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ untypedCount: 150 });
    expect(lines[0]!.untyped).toHaveLength(100);
  });
});
