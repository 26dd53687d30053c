import { statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { freePort, startServiceProcess, type ServiceProcess } from "../support/service-process";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { postWebhook } from "../support/webhook-client";

// The ingress and a projector as processes, each starting while its Kafka bootstrap connection is held
// (a proxy accepts it and forwards nothing): /healthz answers at once, /readyz and the webhook 503 until
// the start is done (the projector: connected and its consumer in its group), and everything a service
// writes, stdout and stderr, is a JSON line.
const appSecret = "e2e-startup-secret";
const env = {
  TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}startup.`,
  MONGODB_DB: `whatsapp_test_${process.env.TEST_RUN_ID}_startup_e2e`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-startup-verify",
  LOG_LEVEL: "info",
};
const [kafkaHost, kafkaPort] = process.env.KAFKA_BROKERS!.split(",")[0]!.split(":");
const proxies: TcpProxy[] = [];
const services: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
});

/** Starts a service whose Kafka bootstrap connection waits for `release()`; resolves once it is ready. */
async function startHeldBack(name: string, entry: string, extraEnv: Record<string, string>) {
  const kafka = await startTcpProxy({ host: kafkaHost!, port: Number(kafkaPort) }, { held: true });
  proxies.push(kafka);
  const [port, operationsPort] = [await freePort(), await freePort()];
  const ready = startServiceProcess(name, entry, {
    ...env,
    ...extraEnv,
    KAFKA_BROKERS: `127.0.0.1:${kafka.port}`,
    PORT: String(port),
    OPS_PORT: String(operationsPort),
  }).then((service) => {
    services.push(service);
    return service;
  });
  // Kept from failing unobserved while the test looks at the starting process.
  ready.catch(() => undefined);
  return {
    publicUrl: `http://127.0.0.1:${port}`,
    operationsUrl: `http://127.0.0.1:${operationsPort}`,
    release: () => kafka.release(),
    ready,
  };
}

const answerOf = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init).catch(() => undefined);
  return response && { status: response.status, body: await response.text() };
};

/** Every line the process wrote, each parsed as JSON (a line that is not fails the test, naming it). */
function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

it("a projector answers /healthz while it waits for Kafka, /readyz once its consumer joined, in JSON lines only", async () => {
  const projector = await startHeldBack("projector", "dist/projector/main.js", { PROJECTIONS: "status" });
  const health = await eventually(
    () => answerOf(`${projector.publicUrl}/healthz`),
    (answer) => answer?.status === 200,
  );
  expect(JSON.parse(health!.body)).toEqual({ status: "alive" });
  const starting = await answerOf(`${projector.publicUrl}/readyz`);
  expect(starting?.status).toBe(503);
  expect(JSON.parse(starting!.body)).toEqual({ status: "not ready", checks: { started: false } });

  projector.release();
  const running = await projector.ready;
  const ready = await answerOf(`${running.operationsUrl}/readyz`);
  expect(JSON.parse(ready!.body)).toMatchObject({ status: "ready", checks: { "status: kafka": true } });
  expect(await running.stop()).toBe(0);
  const lines = jsonLines(running.output());
  expect(lines.map((line) => line.msg)).toEqual(
    expect.arrayContaining(["projection status consuming", "stopped"]),
  );
});

it("the ingress answers /healthz on both ports while it waits for Kafka, the webhook 503, in JSON lines only", async () => {
  const ingress = await startHeldBack("ingress", "dist/ingress/main.js", {});
  await eventually(
    () => answerOf(`${ingress.publicUrl}/healthz`),
    (answer) => answer?.status === 200,
  );
  expect((await answerOf(`${ingress.operationsUrl}/healthz`))?.status).toBe(200);
  expect((await answerOf(`${ingress.operationsUrl}/readyz`))?.status).toBe(503);
  const delivery = statusDelivery([statusObject(wamid(), "delivered", 1750264000)]);
  expect((await postWebhook(ingress.publicUrl, delivery, { appSecret })).status).toBe(503);

  ingress.release();
  const running = await ingress.ready;
  expect((await postWebhook(running.baseUrl, delivery, { appSecret })).status).toBe(200);
  expect(await running.stop()).toBe(0);
  const lines = jsonLines(running.output());
  expect(lines.map((line) => line.msg)).toEqual(
    expect.arrayContaining(["whatsapp-ingress connected", "stopped"]),
  );
});
