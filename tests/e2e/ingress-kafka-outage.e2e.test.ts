import { topicName } from "../../contracts/topics";
import { statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { readTopic } from "../support/kafka-records";
import { startServiceProcess, type ServiceProcess } from "../support/service-process";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { postWebhook, type WebhookAnswer } from "../support/webhook-client";

// The ingress as a process: while Kafka is away it answers 503 (so Meta retries), never 200; once
// Kafka is back it answers 200 again; every delivery it answered 200 is in the raw topic. Kafka goes
// away for this ingress only: its connections to the broker go through a proxy the test cuts (reset,
// then refused) and restores, whatever stack runs the broker, and other users of the stack see nothing.
const appSecret = "e2e-outage-secret";
const prefix = `${process.env.TOPIC_PREFIX}outage.`;
const publishTimeoutMs = 3000;
const broker = process.env.KAFKA_BROKERS!.split(",")[0]!;
let kafka: TcpProxy;
let ingress: ServiceProcess;

beforeAll(async () => {
  const [host, port] = broker.split(":");
  kafka = await startTcpProxy({ host: host!, port: Number(port) });
  ingress = await startServiceProcess("ingress", "dist/ingress/main.js", {
    TOPIC_PREFIX: prefix,
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-verify",
    PUBLISH_TIMEOUT_MS: String(publishTimeoutMs),
    LOG_LEVEL: "warn",
    NODE_OPTIONS: `--import tsx --import ${require.resolve("../support/connection-redirect.ts")}`,
    TEST_REDIRECT_FROM: broker,
    TEST_REDIRECT_TO: `127.0.0.1:${kafka.port}`,
  });
});

afterAll(async () => {
  if (ingress) expect(await ingress.stop()).toBe(0);
  await kafka?.close();
});

const send = () =>
  postWebhook(ingress.baseUrl, statusDelivery([statusObject(wamid(), "delivered", 1750264000)]), {
    appSecret,
  });

it("answers 503 while Kafka is stopped, 200 after it restarts, and loses nothing it acknowledged", async () => {
  const acknowledged: string[] = [];
  const record = (answer: WebhookAnswer) => {
    if (answer.status === 200) acknowledged.push(answer.requestId!);
    return answer;
  };

  const before = await Promise.all(Array.from({ length: 20 }, () => send().then(record)));
  expect(before.map((a) => a.status)).toEqual(Array(20).fill(200));

  await kafka.cut();
  const during: { status: number; ms: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    const answer = record(await send());
    during.push({ status: answer.status, ms: Date.now() - started });
  }
  expect(during.map((d) => d.status)).toEqual(Array(5).fill(503));
  // Well under Meta's ~10 s timeout: the bound, plus a little.
  for (const { ms } of during) expect(ms).toBeLessThan(publishTimeoutMs + 1500);

  await kafka.restore();
  const deadline = Date.now() + 90_000;
  let recovered: WebhookAnswer | undefined;
  while (Date.now() < deadline) {
    const answer = record(await send());
    if (answer.status === 200) {
      recovered = answer;
      break;
    }
    expect(answer.status).toBe(503);
  }
  expect(recovered?.status).toBe(200);
  const after = await Promise.all(Array.from({ length: 20 }, () => send().then(record)));
  expect(after.map((a) => a.status)).toEqual(Array(20).fill(200));

  const wanted = new Set(acknowledged);
  const raw = await readTopic(
    topicName("rawWebhook", prefix),
    (records) => [...wanted].every((id) => records.some((r) => r.value.requestId === id)),
    60_000,
  );
  const inLog = new Set(raw.map((r) => r.value.requestId as string));
  expect([...wanted].filter((id) => !inLog.has(id))).toEqual([]);
  // Every record carries W3C trace context from the ingress's span.
  expect(raw.every((r) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/.test(r.headers.traceparent ?? ""))).toBe(
    true,
  );
  expect(ingress.child.exitCode).toBeNull();
});
