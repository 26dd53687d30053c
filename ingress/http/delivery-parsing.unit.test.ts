import Koa from "koa";
import { serve } from "../../tests/support/http-harness";
import { inboundDelivery, PHONE_NUMBER_ID, WABA_ID } from "../../tests/fixtures/meta-webhooks";
import { parseDelivery, type ParsedDelivery } from "../domain/delivery-parser";
import { deliverySpanAttributes, parseSignedDelivery } from "./delivery-parsing";
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
