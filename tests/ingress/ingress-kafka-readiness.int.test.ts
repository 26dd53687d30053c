import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { createLogger } from "../../runtime/logger";
import { readinessUntil } from "../support/readiness-probe";
import { redirectConnections } from "../support/redirect-connections";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

// /readyz of the ingress against the real stack, with its every connection to the Kafka broker going
// through a proxy the test cuts (reset, then refused) and restores: the broker advertises its own
// address, so the ingress's connections are redirected, not only its bootstrap. Nobody else sees the cut.
const broker = process.env.KAFKA_BROKERS!.split(",")[0]!;
let kafka: TcpProxy;
let undoRedirect: (() => void) | undefined;
let ingress: RunningIngress;
let readyzUrl: string;

beforeAll(async () => {
  const [host, port] = broker.split(":");
  kafka = await startTcpProxy({ host: host!, port: Number(port) });
  undoRedirect = redirectConnections(broker, `127.0.0.1:${kafka.port}`);
  const settings = readIngressSettings({
    ...process.env,
    TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}kafka-readiness.`,
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: "kafka-readiness-secret",
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "kafka-readiness-token",
    LOG_LEVEL: "silent",
  });
  ingress = await startIngress(settings, createLogger("whatsapp-ingress-test", "silent"));
  readyzUrl = `http://127.0.0.1:${ingress.operationsPort}/readyz`;
});

/** Longest a Kafka call of the ingress sleeps between retries (runtime/kafka-client.ts), jitter included. */
const longestRetryWaitMs = 6000;

afterAll(async () => {
  await kafka?.restore().catch(() => undefined);
  // Readiness probes given up on during the cut are still retrying: once they succeed, nothing of the
  // ingress reconnects to the broker after its stop.
  await new Promise((resolve) => setTimeout(resolve, longestRetryWaitMs));
  await ingress?.stop();
  undoRedirect?.();
  await kafka?.close();
});

it("answers 503 naming Kafka while the broker is unreachable, and 200 once it is back", async () => {
  expect(await readinessUntil(readyzUrl, 200)).toEqual({
    status: 200,
    body: { status: "ready", checks: { kafka: true, schemaRegistry: true, configuration: true } },
  });
  await kafka.cut();
  expect(await readinessUntil(readyzUrl, 503)).toEqual({
    status: 503,
    body: { status: "not ready", checks: { kafka: false, schemaRegistry: true, configuration: true } },
  });
  await kafka.restore();
  expect(await readinessUntil(readyzUrl, 200, 60_000)).toEqual({
    status: 200,
    body: { status: "ready", checks: { kafka: true, schemaRegistry: true, configuration: true } },
  });
});
