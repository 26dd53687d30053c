import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { createLogger } from "../../runtime/logger";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

// /readyz of the ingress against the real stack, with the schema registry reached through a proxy the
// test can cut: 503 naming the dependency that does not answer, 200 again once it does.
let registry: TcpProxy;
let ingress: RunningIngress;
let readyzUrl: string;

beforeAll(async () => {
  const registryUrl = new URL(process.env.SCHEMA_REGISTRY_URL!);
  registry = await startTcpProxy({ host: registryUrl.hostname, port: Number(registryUrl.port) });
  registryUrl.host = `127.0.0.1:${registry.port}`;
  const settings = readIngressSettings({
    ...process.env,
    TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}readiness.`,
    SCHEMA_REGISTRY_URL: registryUrl.toString().replace(/\/$/, ""),
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: "readiness-secret",
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "readiness-token",
    LOG_LEVEL: "silent",
  });
  ingress = await startIngress(settings, createLogger("whatsapp-ingress-test", "silent"));
  readyzUrl = `http://127.0.0.1:${ingress.operationsPort}/readyz`;
});

afterAll(async () => {
  await ingress?.stop();
  await registry?.close();
});

const readiness = async () => {
  const response = await fetch(readyzUrl);
  return { status: response.status, body: (await response.json()) as unknown };
};

/** Polls past the readiness cache (1 s) until `status` answers, or 10 s pass. */
const until = async (status: number) => {
  const deadline = Date.now() + 10_000;
  let answer = await readiness();
  while (answer.status !== status && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await readiness();
  }
  return answer;
};

it("answers 503 naming the schema registry while it does not answer, and 200 once it does", async () => {
  expect(await until(200)).toEqual({
    status: 200,
    body: { status: "ready", checks: { kafka: true, schemaRegistry: true, configuration: true } },
  });
  await registry.cut();
  expect(await until(503)).toEqual({
    status: 503,
    body: { status: "not ready", checks: { kafka: true, schemaRegistry: false, configuration: true } },
  });
  await registry.restore();
  expect((await until(200)).status).toBe(200);
});
