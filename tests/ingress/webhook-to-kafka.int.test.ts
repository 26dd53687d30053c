import { topicName } from "../../contracts/topics";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { signBody } from "../../ingress/domain/signature";
import { createLogger } from "../../runtime/logger";
import {
  CUSTOMER_WA_ID,
  PHONE_NUMBER_ID,
  WABA_ID,
  envelope,
  inboundDelivery,
  inboundMessageBodies,
  messagesChange,
  otherFieldChanges,
  statusDelivery,
  statusObject,
  wamid,
} from "../fixtures/meta-webhooks";
import { readTopic, type DecodedRecord } from "../support/kafka-records";
import { postWebhook, webhookPath } from "../support/webhook-client";

// The ingress in-process against the real stack: Kafka, schema registry, MongoDB-wire server.
const prefix = `${process.env.TOPIC_PREFIX}ingress.`;
const topics = {
  raw: topicName("rawWebhook", prefix),
  status: topicName("messageStatus", prefix),
  inbound: topicName("inboundMessage", prefix),
  business: topicName("businessEvent", prefix),
};
const secrets = { old: "int-secret-old", current: "int-secret-current" };

let ingress: RunningIngress;
let baseUrl: string;
let operationsUrl: string;

beforeAll(async () => {
  const settings = readIngressSettings({
    ...process.env,
    TOPIC_PREFIX: prefix,
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: `${secrets.old},${secrets.current}`,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "int-verify-token",
    LOG_LEVEL: "silent",
  });
  ingress = await startIngress(settings, createLogger("whatsapp-ingress-test", "silent"));
  baseUrl = `http://127.0.0.1:${ingress.port}`;
  operationsUrl = `http://127.0.0.1:${ingress.operationsPort}`;
});

afterAll(async () => {
  await ingress?.stop();
});

const rawWithRequestId = (requestId: string) => (records: DecodedRecord[]) =>
  records.some((record) => record.value.requestId === requestId);

describe("verification handshake", () => {
  it("echoes the challenge for the verify token and refuses others", async () => {
    const ok = await fetch(
      `${baseUrl}${webhookPath}?hub.mode=subscribe&hub.verify_token=int-verify-token&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await fetch(
      `${baseUrl}${webhookPath}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    );
    expect(wrong.status).toBe(403);
    const missing = await fetch(`${baseUrl}/api/integrations/webhooks/whatsapp?hub.mode=subscribe`);
    expect(missing.status).toBe(400);
  });
});

describe("signed deliveries", () => {
  it("writes the raw delivery and every derived event, each decodable with a plain Confluent-wire-format consumer", async () => {
    const statusId = wamid("int-status");
    const inboundId = wamid("int-inbound");
    const payload = envelope([
      messagesChange({ statuses: [statusObject(statusId, "delivered", 1750263774)] }),
      otherFieldChanges[0]!,
    ]);
    const inbound = inboundDelivery({ id: inboundId, timestamp: "1750263780", ...inboundMessageBodies.text });
    const first = await postWebhook(baseUrl, payload, { appSecret: secrets.current });
    const second = await postWebhook(baseUrl, inbound, { appSecret: secrets.old });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body).toBe("EVENT_RECEIVED");

    const raw = await readTopic(
      topics.raw,
      (records) =>
        rawWithRequestId(first.requestId!)(records) && rawWithRequestId(second.requestId!)(records),
    );
    const rawRecord = raw.find((record) => record.value.requestId === first.requestId)!;
    expect(rawRecord.key).toBe(WABA_ID);
    expect((rawRecord.value.body as Buffer).toString()).toBe(JSON.stringify(payload));
    expect(rawRecord.value).toMatchObject({
      jsonParsed: true,
      shapeRecognized: true,
      statusCount: 1,
      inboundCount: 0,
      businessEventCount: 1,
    });
    expect(rawRecord.value.signatureHeader).toMatch(/^sha256=[0-9a-f]{64}$/);

    const statuses = await readTopic(topics.status, (records) =>
      records.some((r) => r.value.wamid === statusId),
    );
    const status = statuses.find((r) => r.value.wamid === statusId)!;
    expect(status.key).toBe(statusId);
    expect(status.value).toMatchObject({
      status: "delivered",
      timestamp: 1750263774000,
      rawEventId: first.requestId,
      phoneNumberId: PHONE_NUMBER_ID,
    });

    const inboundRecords = await readTopic(topics.inbound, (records) =>
      records.some((r) => r.value.wamid === inboundId),
    );
    const message = inboundRecords.find((r) => r.value.wamid === inboundId)!;
    expect(message.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`);
    expect(message.value).toMatchObject({
      type: "text",
      text: { body: "Does it come in another color?" },
      rawEventId: second.requestId,
    });

    const business = await readTopic(topics.business, (records) =>
      records.some((r) => r.value.rawEventId === first.requestId),
    );
    expect(business.find((r) => r.value.rawEventId === first.requestId)!.value).toMatchObject({
      field: "message_template_status_update",
      wabaId: WABA_ID,
    });
  });

  it("keeps a signed body that is not JSON in the raw topic, flagged, and answers 200", async () => {
    const broken = Buffer.from(
      '{"object":"whatsapp_business_account","entry":[{"id":"' + WABA_ID + '","changes":[',
    );
    const answer = await postWebhook(baseUrl, broken, { appSecret: secrets.current });
    expect(answer.status).toBe(200);
    const raw = await readTopic(topics.raw, rawWithRequestId(answer.requestId!));
    const record = raw.find((r) => r.value.requestId === answer.requestId)!;
    expect(record.value).toMatchObject({ jsonParsed: false, shapeRecognized: false, wabaId: null });
    expect(record.key).toBe(answer.requestId);
    expect(Buffer.compare(record.value.body as Buffer, broken)).toBe(0);
  });

  it("keeps a signed body whose events cannot be derived (arrays nested 10,000 deep) in the raw topic, flagged, and answers 200", async () => {
    const nested = "[".repeat(10_000) + "]".repeat(10_000);
    const body = Buffer.from(
      JSON.stringify(
        statusDelivery([{ ...statusObject(wamid(), "sent", 1750263779), deep: "NESTED" }]),
      ).replace('"NESTED"', nested),
    );
    const answer = await postWebhook(baseUrl, body, { appSecret: secrets.current });
    expect([answer.status, answer.body]).toEqual([200, "EVENT_RECEIVED"]);
    const raw = await readTopic(topics.raw, rawWithRequestId(answer.requestId!));
    const record = raw.find((r) => r.value.requestId === answer.requestId);
    expect(record?.value).toMatchObject({ jsonParsed: true, shapeRecognized: false, statusCount: 0 });
    expect(record?.value.problem).toMatch(/^events could not be derived/);
    expect(Buffer.compare(record!.value.body as Buffer, body)).toBe(0);
  });

  it("accepts a near-3 MB batched delivery and keeps it byte for byte", async () => {
    const statuses: Record<string, unknown>[] = [];
    const filler = "x".repeat(900);
    const payload = statusDelivery(statuses);
    while (Buffer.byteLength(JSON.stringify(payload)) < 2_950_000) {
      statuses.push(statusObject(wamid(), "read", 1750263790, { biz_opaque_callback_data: filler }));
    }
    const body = Buffer.from(JSON.stringify(payload));
    expect(body.length).toBeGreaterThan(2_900_000);
    expect(body.length).toBeLessThanOrEqual(3 * 1024 * 1024);
    const answer = await postWebhook(baseUrl, body, { appSecret: secrets.current });
    expect(answer.status).toBe(200);
    const raw = await readTopic(topics.raw, rawWithRequestId(answer.requestId!));
    const record = raw.find((r) => r.value.requestId === answer.requestId)!;
    expect((record.value.body as Buffer).length).toBe(body.length);
    expect(record.value.statusCount).toBe(statuses.length);
  });

  it("answers 413 to a body over the limit", async () => {
    const answer = await postWebhook(baseUrl, Buffer.alloc(3 * 1024 * 1024 + 1, 0x20), {
      appSecret: secrets.current,
    });
    expect(answer.status).toBe(413);
  });
});

describe("rejected requests", () => {
  it("answer 401 and write nothing to any topic", async () => {
    const marker = wamid("must-never-appear");
    const payload = statusDelivery([statusObject(marker, "sent", 1750263800)]);
    const refused = [
      await postWebhook(baseUrl, payload, { appSecret: "not-our-secret" }),
      await postWebhook(baseUrl, payload, { signatureHeader: null }),
      await postWebhook(baseUrl, payload, { signatureHeader: "sha256=zz" }),
      await postWebhook(baseUrl, Buffer.from(JSON.stringify(payload).replace("sent", "read")), {
        signatureHeader: signBody(JSON.stringify(payload), secrets.current),
      }),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
    for (const answer of refused) expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);

    // A sentinel with the same keys (the WABA id for the raw record, the wamid for the status) lands on
    // the same partitions after them: once it is read, they would have been too.
    const sentinel = await postWebhook(
      baseUrl,
      statusDelivery([statusObject(marker, "delivered", 1750263801)]),
      { appSecret: secrets.current },
    );
    expect(sentinel.status).toBe(200);
    const raw = await readTopic(topics.raw, rawWithRequestId(sentinel.requestId!));
    expect(raw.some((r) => r.value.requestId === sentinel.requestId)).toBe(true);
    expect(
      raw.filter(
        (r) =>
          r.value.requestId !== sentinel.requestId && (r.value.body as Buffer).toString().includes(marker),
      ),
    ).toEqual([]);
    const statuses = await readTopic(topics.status, (records) =>
      records.some((r) => r.value.wamid === marker && r.value.status === "delivered"),
    );
    expect(statuses.filter((r) => r.value.wamid === marker).map((r) => r.value.status)).toEqual([
      "delivered",
    ]);
  });

  it("refuses an unsigned POST before reading its body and closes the connection; 405 for other methods", async () => {
    const unsigned = await fetch(`${baseUrl}${webhookPath}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(statusDelivery([statusObject(wamid(), "sent", 1750263802)])),
    });
    expect([unsigned.status, unsigned.headers.get("connection"), await unsigned.text()]).toEqual([
      401,
      "close",
      "invalid X-Hub-Signature-256",
    ]);
    expect(unsigned.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const put = await fetch(`${baseUrl}${webhookPath}`, { method: "PUT", body: "{}" });
    expect([put.status, put.headers.get("allow")]).toEqual([405, "GET, POST"]);
  });
});

describe("operations endpoints", () => {
  it("serves /readyz and /metrics on the operations port only; the public port keeps /healthz", async () => {
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(404);
    const ready = await fetch(`${operationsUrl}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { status: "ready", checks: { kafka: true, schemaRegistry: true, configuration: true } },
    ]);
  });

  it("exposes every documented ingress series on /metrics", async () => {
    // Answers of each kind first, so that the labelled series exist.
    await postWebhook(baseUrl, statusDelivery([statusObject(wamid(), "sent", 1750263803)]), {
      appSecret: secrets.current,
    });
    await postWebhook(baseUrl, "{}", { signatureHeader: null });
    const text = await (await fetch(`${operationsUrl}/metrics`)).text();
    for (const series of [
      'whatsapp_ingress_requests_total{outcome="accepted"',
      'whatsapp_ingress_requests_total{outcome="signature_refused"',
      'whatsapp_ingress_signature_failures_total{reason="missing"',
      "whatsapp_ingress_produce_seconds_bucket{",
      "whatsapp_ingress_in_flight_requests{",
      "whatsapp_ingress_body_bytes_in_flight{",
      "whatsapp_ingress_deliveries_in_flight{",
      "whatsapp_ingress_produce_backlog_bytes{",
      "whatsapp_ingress_open_connections{",
      "# TYPE whatsapp_ingress_capacity_refusals_total counter",
      'whatsapp_ingress_events_total{topic="raw"',
      'whatsapp_ingress_events_total{topic="status"',
      "nodejs_eventloop_lag_max_seconds{",
    ])
      expect(text).toContain(series);
  });
});
