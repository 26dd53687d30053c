import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./service-process";
import { nativeStackPart, startOwnServerProcess } from "./own-server-process";
import type { TestCertificates } from "./test-certificates";

const repositoryRoot = path.resolve(__dirname, "../..");

export interface KafkaUser {
  username: string;
  password: string;
}

/** A broker of a test's own whose clients must come over TLS and authenticate, by SASL or by certificate. */
export interface SecuredKafka {
  /** host:port of its SASL_SSL listener. */
  brokers: string;
  /** host:port of its SSL listener that requires a client certificate the test's CA signed. */
  mutualTlsBrokers: string;
  /** A SCRAM-SHA-512 user and a PLAIN user, with passwords made for this run. */
  users: { scram: KafkaUser; plain: KafkaUser };
  stop(): Promise<void>;
}

/**
 * Starts a single-node KRaft broker of the native stack's Kafka distribution (`deploy/native/install.sh
 * kafka` fetches it once) in `directory`, on free ports of 127.0.0.1: a SASL_SSL listener with the test's
 * certificate, SCRAM-SHA-512 and PLAIN enabled, and an SSL listener that requires a client certificate.
 * Broker and controller talk in plain text on loopback listeners of their own, which no client is told of.
 */
export async function startSecuredKafka(
  directory: string,
  certificates: TestCertificates,
): Promise<SecuredKafka> {
  const libs = nativeStackPart("kafka");
  const [client, mutualTls, internal, controller] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const newPassword = () => randomBytes(18).toString("base64url");
  const users = {
    scram: { username: "whatsapp-events-scram", password: newPassword() },
    plain: { username: "whatsapp-events-plain", password: newPassword() },
  };
  const file = (name: string) => path.join(directory, name);
  const properties = file("server.properties");
  writeFileSync(
    properties,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=SASL_SSL://127.0.0.1:${client},MTLS://127.0.0.1:${mutualTls},INTERNAL://127.0.0.1:${internal},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=SASL_SSL://127.0.0.1:${client},MTLS://127.0.0.1:${mutualTls},INTERNAL://127.0.0.1:${internal}`,
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=INTERNAL",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL",
      "sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN",
      "ssl.keystore.type=PEM",
      `ssl.keystore.location=${certificates.serverKeyStoreFile}`,
      "listener.name.mtls.ssl.client.auth=required",
      "listener.name.mtls.ssl.truststore.type=PEM",
      `listener.name.mtls.ssl.truststore.location=${certificates.caFile}`,
      "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
      `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${users.plain.username}="${users.plain.password}";`,
      `log.dirs=${file("data")}`,
      "num.partitions=1",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "auto.create.topics.enable=false",
    ].join("\n"),
    { mode: 0o600 },
  );
  // A short-lived JVM: the client compiler alone and the serial collector start it sooner on 2 cores.
  const java = [
    "-Xms64m",
    "-Xmx384m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${path.join(repositoryRoot, "deploy/native/kafka/log4j.properties")}`,
    "-cp",
    `${libs}/*`,
  ];
  const logFile = file("kafka.log");
  // The SCRAM user is written into the metadata log by the storage format, from a Java argument file:
  // its password is never on a command line.
  const clusterId = kafkaClusterId();
  writeFileSync(
    file("format.args"),
    [
      "format",
      "-t",
      clusterId,
      "-c",
      properties,
      "--add-scram",
      `SCRAM-SHA-512=[name=${users.scram.username},password=${users.scram.password}]`,
    ].join("\n"),
    { mode: 0o600 },
  );
  await promisify(execFile)("java", [...java, "kafka.tools.StorageTool", `@${file("format.args")}`], {
    timeout: 120_000,
  });

  const broker = startOwnServerProcess("java", [...java, "kafka.Kafka", properties], logFile);
  await broker.waitUntil(() => readFileSync(logFile, "utf8").includes("Kafka Server started"), 180_000);
  // Its data is thrown away with the test's directory: nothing to shut down cleanly for.
  return {
    brokers: `127.0.0.1:${client}`,
    mutualTlsBrokers: `127.0.0.1:${mutualTls}`,
    users,
    stop: () => broker.stop(0),
  };
}

/** A random cluster id as Kafka writes them; like Kafka's own, never one starting with "-", which its
 * argument parser would take for an option. */
export function kafkaClusterId(random: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
