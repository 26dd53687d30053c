import { conversationProjection } from "../../projector/projections/conversation/projection";
import { statusProjection } from "../../projector/projections/status/projection";
import { TestProjectors } from "../support/projectors";
import { readinessUntil, type ReadinessAnswer } from "../support/readiness-probe";
import { redirectConnections } from "../support/redirect-connections";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

// /readyz of a projector process running two projections, against the real stack: MongoDB, the schema
// registry and Kafka each reached through a proxy the test cuts (connections reset, new ones refused)
// and restores. 503 names what is missing; 200 again once it is back. Other users of the stack see nothing.
const projectors = new TestProjectors();
const prefix = `${process.env.TOPIC_PREFIX}projector-readiness.`;
const database = `whatsapp_test_${process.env.TEST_RUN_ID}_projector_readiness`;
const broker = process.env.KAFKA_BROKERS!.split(",")[0]!;
let mongo: TcpProxy;
let registry: TcpProxy;
let kafka: TcpProxy;
let undoRedirect: (() => void) | undefined;
let readyzUrl: string;

const proxyTo = (hostPort: string) => {
  const [host, port] = hostPort.split(":");
  return startTcpProxy({ host: host!, port: Number(port) });
};

beforeAll(async () => {
  const mongoUri = new URL(process.env.MONGODB_URI!);
  const registryUrl = new URL(process.env.SCHEMA_REGISTRY_URL!);
  mongo = await proxyTo(mongoUri.host);
  registry = await proxyTo(registryUrl.host);
  kafka = await proxyTo(broker);
  mongoUri.host = `127.0.0.1:${mongo.port}`;
  registryUrl.host = `127.0.0.1:${registry.port}`;
  undoRedirect = redirectConnections(broker, `127.0.0.1:${kafka.port}`);
  const projector = await projectors.start(
    [statusProjection, conversationProjection] as never[],
    prefix,
    database,
    {
      MONGODB_URI: mongoUri.toString(),
      SCHEMA_REGISTRY_URL: registryUrl.toString().replace(/\/$/, ""),
    },
  );
  readyzUrl = `http://127.0.0.1:${projector.operationsPort}/readyz`;
});

afterAll(async () => {
  // Everything back first: the consumers leave their groups through the Kafka proxy.
  await Promise.all([mongo, registry, kafka].map((proxy) => proxy?.restore().catch(() => undefined)));
  await projectors.stopAll();
  undoRedirect?.();
  await Promise.all([mongo, registry, kafka].map((proxy) => proxy?.close()));
});

const everyCheck = {
  "status: kafka": true,
  "conversation: kafka": true,
  mongodb: true,
  schemaRegistry: true,
};
const ready = { status: 200, body: { status: "ready", checks: everyCheck } };
const notReady = (missing: Partial<typeof everyCheck>) => ({
  status: 503,
  body: { status: "not ready", checks: { ...everyCheck, ...missing } },
});

beforeEach(async () => {
  expect(await readinessUntil(readyzUrl, 200)).toEqual(ready);
});

it("answers 503 naming MongoDB while the MongoDB-wire server is lost, and 200 once it is back", async () => {
  await mongo.cut();
  expect(await readinessUntil(readyzUrl, 503)).toEqual(notReady({ mongodb: false }));
  await mongo.restore();
  expect(await readinessUntil(readyzUrl, 200, 60_000)).toEqual(ready);
});

it("answers 503 naming the schema registry while it is lost, and 200 once it is back", async () => {
  await registry.cut();
  expect(await readinessUntil(readyzUrl, 503)).toEqual(notReady({ schemaRegistry: false }));
  await registry.restore();
  expect(await readinessUntil(readyzUrl, 200, 60_000)).toEqual(ready);
});

it("answers 503 naming each projection's consumer while Kafka is lost, and 200 once they rejoin", async () => {
  await kafka.cut();
  // Each consumer finds itself out of its group on its own retry schedule.
  const bothOut = (answer: ReadinessAnswer) =>
    !answer.body.checks["status: kafka"] && !answer.body.checks["conversation: kafka"];
  expect(await readinessUntil(readyzUrl, bothOut, 90_000)).toEqual(
    notReady({ "status: kafka": false, "conversation: kafka": false }),
  );
  await kafka.restore();
  expect(await readinessUntil(readyzUrl, 200, 120_000)).toEqual(ready);
});
