import { topicName } from "../../contracts/topics";
import { signBody } from "../../ingress/domain/signature";
import { eventually } from "../support/event-producer";
import { useInProcessIngress, type InProcessIngress } from "../support/in-process-ingress";
import { statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { readTopic } from "../support/kafka-records";
import { redirectConnections } from "../support/redirect-connections";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { webhookPath } from "../support/webhook-client";

// The ingress in-process against the real stack, its every connection to the broker through a proxy
// that holds Kafka's answers (the records are written; the acknowledgements wait): deliveries pile up
// unacknowledged until a bound is reached, and the next POST must be refused at once.
const broker = process.env.KAFKA_BROKERS!.split(",")[0]!;
let kafka: TcpProxy;
let undoRedirect: (() => void) | undefined;

beforeAll(async () => {
  const [host, port] = broker.split(":");
  kafka = await startTcpProxy({ host: host!, port: Number(port) });
  undoRedirect = redirectConnections(broker, `127.0.0.1:${kafka.port}`);
});

afterAll(async () => {
  undoRedirect?.();
  await kafka?.close();
});

interface Answer {
  status: number;
  retryAfter: string | null;
  requestId: string | null;
  ms: number;
}

async function post(ingress: InProcessIngress, name: string): Promise<Answer> {
  const body = Buffer.from(
    JSON.stringify(statusDelivery([statusObject(wamid(`overload-${name}`), "sent", 1750263774)])),
  );
  const started = performance.now();
  const response = await fetch(`${ingress.baseUrl()}${webhookPath}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": signBody(body, ingress.appSecret),
    },
    body,
  });
  await response.arrayBuffer();
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    requestId: response.headers.get("x-request-id"),
    ms: performance.now() - started,
  };
}

/** One sample of the ingress's /metrics, by series name with its labels (service label left out). */
async function metrics(operationsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${operationsUrl}/metrics`)).text();
  const samples: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^(whatsapp_ingress_\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = (match[2] ?? "").replace(/service="[^"]*",?/, "").replace(/,}$/, "}");
    samples[`${match[1]}${labels === "{}" ? "" : labels}`] = Number(match[3]);
  }
  return samples;
}

/** An ingress of its own with the given bounds; Kafka's answers flow again before it stops. */
function useIngress(name: string, bounds: Record<string, string>) {
  afterAll(() => kafka.releaseAnswers());
  return useInProcessIngress(`overload-${name}`, {
    // Longer than the test holds Kafka's answers: the held deliveries end 200, not 503.
    PUBLISH_TIMEOUT_MS: "25000",
    ...bounds,
  });
}

/** Every request id answered 200 is in the raw topic; no refused one is. */
async function expectOnlyAcknowledgedInLog(prefix: string, answers: readonly Answer[]): Promise<void> {
  const acknowledged = answers.filter((a) => a.status === 200).map((a) => a.requestId!);
  const refused = answers.filter((a) => a.status !== 200).map((a) => a.requestId!);
  const raw = await readTopic<{ requestId: string }>(topicName("rawWebhook", prefix), (records) =>
    acknowledged.every((id) => records.some((record) => record.value.requestId === id)),
  );
  const logged = new Set(raw.map((record) => record.value.requestId));
  expect(acknowledged.filter((id) => !logged.has(id))).toEqual([]);
  expect(refused.filter((id) => logged.has(id))).toEqual([]);
}

describe("past MAX_DELIVERIES_IN_FLIGHT", () => {
  const ingress = useIngress("in-flight", { MAX_DELIVERIES_IN_FLIGHT: "3" });

  it("answers 503 with Retry-After at once while Kafka has not acknowledged the deliveries in hand, and 200 only for what is in the log", async () => {
    const warm = await post(ingress, "warm-up");
    expect(warm.status).toBe(200);
    kafka.holdAnswers();
    const held = ["a", "b", "c"].map((name) => post(ingress, name));
    await eventually(
      () => metrics(ingress.operationsUrl()),
      (samples) => samples.whatsapp_ingress_deliveries_in_flight === 3,
    );
    const refused = await post(ingress, "refused");
    expect([refused.status, refused.retryAfter]).toEqual([503, "5"]);
    expect(refused.requestId).toEqual(expect.any(String));
    // At once: not after PUBLISH_TIMEOUT_MS, nor after Kafka's answers come back.
    expect(refused.ms).toBeLessThan(5000);
    const during = await metrics(ingress.operationsUrl());
    expect(during['whatsapp_ingress_capacity_refusals_total{limit="deliveries_in_flight"}']).toBe(1);
    expect(during.whatsapp_ingress_produce_backlog_bytes).toBeGreaterThan(0);

    kafka.releaseAnswers();
    const answers = [warm, ...(await Promise.all(held)), refused];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 503]);
    await expectOnlyAcknowledgedInLog(ingress.prefix, answers);
    const after = await metrics(ingress.operationsUrl());
    expect([
      after.whatsapp_ingress_deliveries_in_flight,
      after.whatsapp_ingress_produce_backlog_bytes,
    ]).toEqual([0, 0]);
  });
});

describe("past MAX_PRODUCE_BACKLOG_BYTES", () => {
  const ingress = useIngress("backlog", { MAX_PRODUCE_BACKLOG_BYTES: "1" });

  it("answers 503 with Retry-After at once while the records handed to Kafka wait for its acknowledgement", async () => {
    const warm = await post(ingress, "warm-up");
    expect(warm.status).toBe(200);
    kafka.holdAnswers();
    const held = post(ingress, "held");
    await eventually(
      () => metrics(ingress.operationsUrl()),
      (samples) => samples.whatsapp_ingress_produce_backlog_bytes! > 1,
    );
    const refused = await post(ingress, "refused");
    expect([refused.status, refused.retryAfter]).toEqual([503, "5"]);
    expect(refused.ms).toBeLessThan(5000);
    expect(
      (await metrics(ingress.operationsUrl()))[
        'whatsapp_ingress_capacity_refusals_total{limit="produce_backlog"}'
      ],
    ).toBe(1);

    kafka.releaseAnswers();
    const answers = [warm, await held, refused];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 503]);
    await expectOnlyAcknowledgedInLog(ingress.prefix, answers);
  });
});
