import Koa from "koa";
import { counted, freshIngressMetrics, recordingLogger, serve } from "../../tests/support/http-harness";
import {
  envelope,
  messagesChange,
  otherFieldChanges,
  statusObject,
  wamid,
} from "../../tests/fixtures/meta-webhooks";
import { parseDelivery, type ParsedDelivery } from "../domain/delivery-parser";
import { DeliveryEncodingError } from "../kafka/delivery-publisher";
import { acknowledgeDelivery, publishDelivery } from "./delivery-publishing";
import { answerRefusals } from "./webhook-answer";
import type { WebhookState } from "./webhook-request";

const parsed = (body: string): ParsedDelivery =>
  parseDelivery({
    requestId: "request-1",
    receivedAt: 1,
    body: Buffer.from(body),
    signatureHeader: "sha256=00",
    contentType: "application/json",
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

describe("publishDelivery, then acknowledgeDelivery", () => {
  const metrics = freshIngressMetrics();
  const { logger, lines } = recordingLogger();
  let publish: (delivery: ParsedDelivery) => Promise<number>;
  let delivery: ParsedDelivery;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const app = new Koa<WebhookState>();
    app.use(async (ctx, next) => {
      ctx.state.requestId = "request-1";
      ctx.state.delivery = delivery;
      await next();
    });
    app.use(answerRefusals(metrics));
    app.use(publishDelivery({ publish: (d) => publish(d), metrics, logger }));
    app.use(acknowledgeDelivery(metrics));
    server = await serve(app);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    metrics.requests.reset();
    metrics.events.reset();
  });

  it("answers 200 EVENT_RECEIVED only once publish resolved, and counts records by the catalogue's labels", async () => {
    delivery = parsed(twoStatusesAndABusinessEvent);
    let acknowledge: () => void = () => undefined;
    const published: ParsedDelivery[] = [];
    publish = (d) => {
      published.push(d);
      return new Promise((resolve) => (acknowledge = () => resolve(4)));
    };
    let answered = false;
    const answer = fetch(server.url, { method: "POST" }).then((response) => {
      answered = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(published).toEqual([delivery]);
    expect(answered).toBe(false);
    acknowledge();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe("EVENT_RECEIVED");
    expect(await counted(metrics.requests, { outcome: "accepted" })).toBe(1);
    const events = Object.fromEntries(
      (await metrics.events.get()).values.map((value) => [value.labels.topic, value.value]),
    );
    expect(events).toEqual({ raw: 1, status: 2, inbound: 0, business: 1 });
    expect(lines).toEqual([]);
  });

  it("answers 200 for a signed body of unknown shape, counted apart and logged as flagged", async () => {
    delivery = parsed("not json");
    publish = async () => 1;
    const response = await fetch(server.url, { method: "POST" });
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
    delivery = parsed(twoStatusesAndABusinessEvent);
    publish = () => Promise.reject(new Error("Kafka did not acknowledge within 5000 ms"));
    const response = await fetch(server.url, { method: "POST" });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.text()).toBe("event log unavailable, retry later");
    expect(await counted(metrics.requests, { outcome: "unavailable" })).toBe(1);
    expect((await metrics.events.get()).values).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        requestId: "request-1",
        wabaId: delivery.raw.value.wabaId,
        err: expect.objectContaining({ message: "Kafka did not acknowledge within 5000 ms" }),
        msg: "delivery not acknowledged by Kafka; answering 503 so Meta retries",
      }),
    ]);
  });

  it("writes the raw record alone, flagged, and answers 200 when an event does not fit its schema", async () => {
    delivery = parsed(twoStatusesAndABusinessEvent);
    const published: ParsedDelivery[] = [];
    publish = async (d) => {
      published.push(d);
      if (d.statuses.length > 0) throw new DeliveryEncodingError('invalid "long": 1e400');
      return 1;
    };
    const response = await fetch(server.url, { method: "POST" });
    expect([response.status, await response.text()]).toEqual([200, "EVENT_RECEIVED"]);
    expect(published).toHaveLength(2);
    expect(published[1]!.raw.value).toMatchObject({
      requestId: "request-1",
      shapeRecognized: false,
      problem: 'events could not be encoded: invalid "long": 1e400',
      statusCount: 0,
    });
    expect(published[1]!.raw.value.body).toEqual(delivery.raw.value.body);
    expect([...published[1]!.statuses, ...published[1]!.businessEvents]).toEqual([]);
    expect(await counted(metrics.requests, { outcome: "accepted_unrecognized" })).toBe(1);
    const events = Object.fromEntries(
      (await metrics.events.get()).values.map((value) => [value.labels.topic, value.value]),
    );
    expect(events).toEqual({ raw: 1, status: 0, inbound: 0, business: 0 });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        problem: 'events could not be encoded: invalid "long": 1e400',
        msg: "signed body kept in the raw topic, flagged",
      }),
    ]);
  });
});
