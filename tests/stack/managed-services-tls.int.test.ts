import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import { registryRequest } from "../../contracts/schema-registry-client";
import { ContractSerde } from "../../contracts/serde";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { statusProjection } from "../../projector/projections/status/projection";
import { createKafka, idempotentProducer } from "../../runtime/kafka-client";
import { kafkaConnectionOf, kafkaSettingSpecs } from "../../runtime/kafka-settings";
import { createLogger } from "../../runtime/logger";
import { mongoClientOptions, mongoSettingSpecs } from "../../runtime/mongodb-settings";
import { schemaRegistryAnswers } from "../../runtime/operations-endpoints";
import {
  schemaRegistryConnectionOf,
  schemaRegistrySettingSpecs,
} from "../../runtime/schema-registry-settings";
import { readSettings } from "../../runtime/settings";
import { envelope, messagesChange, statusObject, wamid } from "../fixtures/meta-webhooks";
import { statusEvent } from "../fixtures/status-events";
import { eventually } from "../support/event-producer";
import { recordingLogger } from "../support/http-harness";
import { TestProjectors } from "../support/projectors";
import { startRegistryTlsProxy, type RegistryTlsProxy } from "../support/registry-tls-proxy";
import { startSecuredKafka, type SecuredKafka } from "../support/secured-kafka";
import { generateTestCertificates, type TestCertificates } from "../support/test-certificates";
import { startTlsFerretdb, type TlsFerretdb } from "../support/tls-ferretdb";
import { postWebhook } from "../support/webhook-client";

// docs/operations.md (#managed-services): the services reach Kafka over SASL_SSL, the schema registry over
// https with basic credentials, and MongoDB over TLS, each trusting a CA of this test's own, with the
// settings an operator sets for a managed service. The broker, the registry's TLS front and the TLS
// MongoDB-wire server are this test's own processes; the registry and PostgreSQL behind them are the stack's.
const directory = mkdtempSync(path.join(tmpdir(), "managed-services-tls-"));
const prefix = `${process.env.TOPIC_PREFIX}tls.`;
const database = `whatsapp_test_${process.env.TEST_RUN_ID}_tls`;
// The TLS MongoDB-wire server is the native stack's FerretDB over its PostgreSQL; elsewhere the stack's own.
const nativeStack = process.env.TEST_STACK_SOURCE === "native";
const registryUser = { username: "whatsapp-events-registry", password: "registry-password-of-this-run" };
let certificates: TestCertificates;
let kafka: SecuredKafka;
let registry: RegistryTlsProxy;
let ferretdb: TlsFerretdb | undefined;
const tookMs: Record<string, number> = {};

async function timed<T>(name: string, start: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const value = await start();
  tookMs[name] = Date.now() - started;
  return value;
}

function secretFile(name: string, content: string): string {
  const file = path.join(directory, name);
  writeFileSync(file, `${content}\n`, { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  certificates = generateTestCertificates(directory);
  kafka = await timed("kafka", () => startSecuredKafka(directory, certificates));
  registry = await startRegistryTlsProxy(process.env.SCHEMA_REGISTRY_URL!, certificates, registryUser);
  if (nativeStack) ferretdb = await timed("ferretdb", () => startTlsFerretdb(directory, certificates));
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  await timed("kafka stop", async () => kafka?.stop());
  await ferretdb?.stop();
  rmSync(directory, { recursive: true, force: true });
  console.log(`[managed-services-tls] took in ms: ${JSON.stringify(tookMs)}`);
});

/** The settings an operator sets for the SCRAM user: TLS with the test's CA, the password from a file. */
const scramEnv = (): NodeJS.ProcessEnv => ({
  KAFKA_BROKERS: kafka.brokers,
  KAFKA_SSL: "true",
  KAFKA_SSL_CA_FILE: certificates.caFile,
  KAFKA_SASL_MECHANISM: "scram-sha-512",
  KAFKA_SASL_USERNAME: kafka.users.scram.username,
  KAFKA_SASL_PASSWORD_FILE: secretFile("kafka-password", kafka.users.scram.password),
});

const registryEnv = (): NodeJS.ProcessEnv => ({
  SCHEMA_REGISTRY_URL: registry.url,
  SCHEMA_REGISTRY_USERNAME: registryUser.username,
  SCHEMA_REGISTRY_PASSWORD_FILE: secretFile("registry-password", registryUser.password),
  SCHEMA_REGISTRY_CA_FILE: certificates.caFile,
});

const kafkaOf = (env: NodeJS.ProcessEnv) => kafkaConnectionOf(readSettings(kafkaSettingSpecs, env));
const registryOf = (env: NodeJS.ProcessEnv) =>
  schemaRegistryConnectionOf(readSettings(schemaRegistrySettingSpecs, env));

/** What describeCluster does for a client of `env` that tries once: its brokers, or its error. */
async function firstContact(env: NodeJS.ProcessEnv): Promise<unknown> {
  const admin = new Kafka({
    clientId: "tls-probe",
    ...kafkaOf(env),
    retry: { retries: 0 },
    connectionTimeout: 5000,
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } catch (error) {
    return error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

describe("Kafka over SASL_SSL", () => {
  it("produces and consumes a record through the services' Kafka client (SCRAM-SHA-512, the test's CA)", async () => {
    const client = createKafka("tls-test", kafkaOf(scramEnv()), createLogger("test", "silent"));
    const topic = `${prefix}probe`;
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = client.producer(idempotentProducer);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: "k", value: "over TLS and SCRAM" }] });
    await producer.disconnect();

    const consumer = client.consumer({ groupId: `${prefix}probe-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
    });
    await consumer.disconnect();
    expect(received).toBe("over TLS and SCRAM");
  });

  it("authenticates a PLAIN user too", async () => {
    expect(
      await firstContact({
        ...scramEnv(),
        KAFKA_SASL_MECHANISM: "plain",
        KAFKA_SASL_USERNAME: kafka.users.plain.username,
        KAFKA_SASL_PASSWORD_FILE: secretFile("plain-password", kafka.users.plain.password),
      }),
    ).toBe(1);
  });

  it("fails clearly on a wrong password, without the CA, and without TLS or SASL", async () => {
    const wrongPassword = await firstContact({
      ...scramEnv(),
      KAFKA_SASL_PASSWORD_FILE: secretFile("wrong", "not-the-password"),
    });
    expect(wrongPassword).toMatchObject({
      name: "KafkaJSSASLAuthenticationError",
      message: expect.stringContaining("SASL SCRAM SHA512 authentication failed"),
    });
    expect(await firstContact({ ...scramEnv(), KAFKA_SSL_CA_FILE: "" })).toMatchObject({
      message: expect.stringContaining("unable to verify the first certificate"),
    });
    expect(await firstContact({ KAFKA_BROKERS: kafka.brokers })).toBeInstanceOf(Error);
    expect(
      await firstContact({
        KAFKA_BROKERS: kafka.brokers,
        KAFKA_SSL: "true",
        KAFKA_SSL_CA_FILE: certificates.caFile,
      }),
    ).toBeInstanceOf(Error);
  });
});

describe("Kafka over TLS with a client certificate", () => {
  const mutualTlsEnv = (): NodeJS.ProcessEnv => ({
    KAFKA_BROKERS: kafka.mutualTlsBrokers,
    KAFKA_SSL: "true",
    KAFKA_SSL_CA_FILE: certificates.caFile,
    KAFKA_SSL_CERT_FILE: certificates.clientCertificateFile,
    KAFKA_SSL_KEY_FILE: certificates.clientKeyFile,
  });

  it("is let in with KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE, and not without them", async () => {
    expect(await firstContact(mutualTlsEnv())).toBe(1);
    expect(
      await firstContact({ ...mutualTlsEnv(), KAFKA_SSL_CERT_FILE: "", KAFKA_SSL_KEY_FILE: "" }),
    ).toBeInstanceOf(Error);
  });
});

describe("schema registry over https with basic credentials", () => {
  it("registers, encodes and decodes through the serde, and answers readiness, with every request authorized", async () => {
    const connection = registryOf(registryEnv());
    const serde = new ContractSerde(connection, prefix);
    await serde.register(["messageStatus"]);
    const event = statusEvent(wamid("tls"), "delivered", 1750264100);
    expect(await serde.decode(await serde.encode("messageStatus", event))).toEqual(event);
    expect(await schemaRegistryAnswers(connection)).toBe(true);
    expect(registry.counts.forwarded).toBeGreaterThan(0);
    expect(registry.counts.refused).toBe(0);
  });

  it("fails clearly on wrong credentials and without the CA", async () => {
    const wrong = registryOf({
      ...registryEnv(),
      SCHEMA_REGISTRY_PASSWORD_FILE: secretFile("wrong-registry", "nope"),
    });
    await expect(new ContractSerde(wrong, prefix).register(["messageStatus"])).rejects.toMatchObject({
      name: "RegistryAccessError",
      status: 401,
      message:
        `the schema registry at ${registry.url} refused the basic credentials of user ${registryUser.username} ` +
        `(HTTP 401) registering ${prefix}whatsapp.message.status.v1-value`,
    });
    expect(await schemaRegistryAnswers(wrong)).toBe(false);
    expect(registry.counts.refused).toBeGreaterThan(0);

    const untrusted = registryOf({ ...registryEnv(), SCHEMA_REGISTRY_CA_FILE: "" });
    await expect(new ContractSerde(untrusted, prefix).register(["messageStatus"])).rejects.toThrow(
      /unable to verify the first certificate/,
    );
    await expect(registryRequest(untrusted, "/subjects")).rejects.toThrow(
      /unable to verify the first certificate/,
    );
  });
});

(nativeStack ? describe : describe.skip)("MongoDB over TLS (the native stack's FerretDB)", () => {
  it("connects with MONGODB_TLS_CA_FILE, and not without it", async () => {
    const settings = (env: NodeJS.ProcessEnv) =>
      readSettings(mongoSettingSpecs, { MONGODB_URI: ferretdb!.uri, ...env });
    const trusted = new MongoClient(
      ferretdb!.uri,
      mongoClientOptions(settings({ MONGODB_TLS_CA_FILE: certificates.caFile })),
    );
    expect(await trusted.db(database).command({ ping: 1 })).toMatchObject({ ok: 1 });
    await trusted.close();
    const untrusted = new MongoClient(`${ferretdb!.uri}?tls=true`, { serverSelectionTimeoutMS: 3000 });
    await expect(untrusted.db(database).command({ ping: 1 })).rejects.toThrow(
      /unable to verify the first certificate/,
    );
    await untrusted.close();
  });
});

describe("the services through them", () => {
  const projectors = new TestProjectors();
  let ingress: RunningIngress | undefined;
  afterAll(async () => {
    await ingress?.stop();
    await projectors.stopAll();
    const mongo = new MongoClient(ferretdb?.uri ?? process.env.MONGODB_URI!, {
      ...(ferretdb && { tls: true, tlsCAFile: certificates.caFile }),
    });
    await mongo
      .db(database)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  });

  it("takes a signed webhook into Kafka and a projector applies it, the secrets in no log line", async () => {
    const appSecret = "tls-test-app-secret";
    const mongoEnv = ferretdb ? { MONGODB_URI: ferretdb.uri, MONGODB_TLS_CA_FILE: certificates.caFile } : {};
    const env = { ...process.env, ...scramEnv(), ...registryEnv(), ...mongoEnv, TOPIC_PREFIX: prefix };
    const { logger, lines } = recordingLogger();
    ingress = await startIngress(
      readIngressSettings({
        ...env,
        MONGODB_DB: database,
        PORT: "0",
        OPS_PORT: "0",
        WHATSAPP_APP_SECRET: appSecret,
        WHATSAPP_WEBHOOK_VERIFY_TOKEN: "tls-test-token",
      }),
      logger,
    );
    await projectors.start(statusProjection, prefix, database, {
      ...scramEnv(),
      ...registryEnv(),
      ...mongoEnv,
    } as Record<string, string>);

    const outbound = wamid("tls-out");
    const delivery = envelope([
      messagesChange({ statuses: [statusObject(outbound, "delivered", 1750264100)] }),
    ]);
    const answer = await postWebhook(`http://127.0.0.1:${ingress.port}`, delivery, { appSecret });
    expect(answer.status).toBe(200);

    const mongo = new MongoClient(env.MONGODB_URI!, mongoClientOptions(readSettings(mongoSettingSpecs, env)));
    try {
      const status = await eventually(
        () =>
          mongo
            .db(database)
            .collection("message_statuses")
            .findOne({ _id: outbound as never }),
        (document) => document !== null,
        60_000,
      );
      expect(status).toMatchObject({ _id: outbound, status: "delivered" });
    } finally {
      await mongo.close();
    }
    const readiness = await fetch(`http://127.0.0.1:${ingress.operationsPort}/readyz`);
    expect(await readiness.json()).toEqual({
      status: "ready",
      checks: { kafka: true, schemaRegistry: true, configuration: true },
    });

    const connecting = lines.find((line) => line.msg === "whatsapp-ingress connecting");
    expect(connecting?.connections).toMatchObject({
      kafka: { tls: certificates.caFile, sasl: `scram-sha-512 as ${kafka.users.scram.username}` },
      schemaRegistry: {
        url: registry.url,
        auth: `basic as ${registryUser.username}`,
        ca: certificates.caFile,
      },
    });
    const logged = JSON.stringify(lines);
    for (const secret of [kafka.users.scram.password, registryUser.password, appSecret])
      expect(logged).not.toContain(secret);
  });
});
