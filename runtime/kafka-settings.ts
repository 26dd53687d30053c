import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { EnvError, makeValidator, str, type CleanedEnv } from "envalid";
import type { SASLOptions } from "kafkajs";
import { certificateFile, onOff, privateKeyFile } from "./setting-validators";

/** Comma-separated list of host:port pairs. */
export const hostPortList = makeValidator<string[]>((raw) => {
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new EnvError("expected at least one host:port");
  for (const entry of entries) {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(entry)) throw new EnvError(`"${entry}" is not host:port`);
  }
  return entries;
});

export const saslMechanisms = ["plain", "scram-sha-256", "scram-sha-512"] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

/** Lower case as kafkajs takes it; the upper case of Java's sasl.mechanism is accepted too. Empty: no SASL. */
const saslMechanism = makeValidator<SaslMechanism | "">((raw) => {
  const value = raw.trim().toLowerCase();
  if (value === "") return "";
  const mechanism = saslMechanisms.find((known) => known === value);
  if (!mechanism) throw new EnvError(`"${raw}" is none of ${saslMechanisms.join(", ")}`);
  return mechanism;
});

/** Where the brokers are and how to reach them: TLS and SASL, for managed clusters. */
export const kafkaSettingSpecs = {
  KAFKA_BROKERS: hostPortList({ default: ["127.0.0.1:9092"], desc: "Kafka bootstrap servers" }),
  KAFKA_SSL: onOff({ default: false, desc: "true: connect to the brokers over TLS" }),
  KAFKA_SSL_CA_FILE: certificateFile({
    default: "",
    desc: "PEM file of the CA(s) the brokers' certificates chain to (empty: the system's CAs)",
  }),
  KAFKA_SSL_CERT_FILE: certificateFile({
    default: "",
    desc: "PEM client certificate, for brokers that authenticate clients by TLS (with KAFKA_SSL_KEY_FILE)",
  }),
  KAFKA_SSL_KEY_FILE: privateKeyFile({ default: "", desc: "PEM private key of KAFKA_SSL_CERT_FILE" }),
  KAFKA_SASL_MECHANISM: saslMechanism({
    default: "",
    desc: "plain, scram-sha-256 or scram-sha-512 (empty: no SASL)",
  }),
  KAFKA_SASL_USERNAME: str({ default: "", desc: "SASL username" }),
  KAFKA_SASL_PASSWORD: str({
    default: "",
    desc: "SASL password, never logged (or KAFKA_SASL_PASSWORD_FILE)",
  }),
};

export type KafkaSettings = CleanedEnv<typeof kafkaSettingSpecs>;

const tlsFiles = ["KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"] as const;

/** Rules between the Kafka variables that are well-formed: a problem by variable name. */
export function kafkaSettingProblems(settings: Partial<KafkaSettings>): Record<string, string> {
  const problems: Record<string, string> = {};
  const { KAFKA_SSL: ssl, KAFKA_SASL_MECHANISM: mechanism } = settings;
  if (ssl === false)
    for (const name of tlsFiles)
      if (settings[name])
        problems[name] = "set, but KAFKA_SSL is off: set KAFKA_SSL=true to connect over TLS";
  const { KAFKA_SSL_CERT_FILE: certificate, KAFKA_SSL_KEY_FILE: key } = settings;
  if (certificate && key === "") problems.KAFKA_SSL_KEY_FILE = "missing (required with KAFKA_SSL_CERT_FILE)";
  if (key && certificate === "") problems.KAFKA_SSL_CERT_FILE = "missing (required with KAFKA_SSL_KEY_FILE)";
  if (mechanism) {
    if (settings.KAFKA_SASL_USERNAME === "")
      problems.KAFKA_SASL_USERNAME = `missing (required with KAFKA_SASL_MECHANISM=${mechanism})`;
    if (settings.KAFKA_SASL_PASSWORD === "")
      problems.KAFKA_SASL_PASSWORD = `missing (required with KAFKA_SASL_MECHANISM=${mechanism}; or KAFKA_SASL_PASSWORD_FILE)`;
    if (mechanism === "plain" && ssl === false)
      problems.KAFKA_SASL_MECHANISM =
        "plain sends the password in clear: set KAFKA_SSL=true (or use scram-sha-256 or scram-sha-512)";
  } else if (mechanism === "") {
    for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const)
      if (settings[name])
        problems.KAFKA_SASL_MECHANISM ??= `missing (required with ${name}): plain, scram-sha-256 or scram-sha-512`;
  }
  return problems;
}

/** What kafkajs needs to reach the brokers: its `brokers`, `ssl` and `sasl` options. */
export interface KafkaConnection {
  brokers: string[];
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

/** The connection the settings describe, with the TLS files read (once, at start-up). */
export function kafkaConnectionOf(settings: KafkaSettings): KafkaConnection {
  const connection: KafkaConnection = { brokers: settings.KAFKA_BROKERS };
  if (settings.KAFKA_SSL) {
    const files = {
      ca: settings.KAFKA_SSL_CA_FILE,
      cert: settings.KAFKA_SSL_CERT_FILE,
      key: settings.KAFKA_SSL_KEY_FILE,
    };
    const read = Object.entries(files)
      .filter(([, path]) => path)
      .map(([option, path]) => [option, readFileSync(path, "utf8")]);
    connection.ssl = read.length > 0 ? Object.fromEntries(read) : true;
  }
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = settings;
  if (mechanism) connection.sasl = { mechanism, username, password } as SASLOptions;
  return connection;
}

/** The connection as a log line may show it: no password. */
export function describeKafkaConnection(settings: KafkaSettings) {
  return {
    brokers: settings.KAFKA_BROKERS,
    tls: settings.KAFKA_SSL ? settings.KAFKA_SSL_CA_FILE || "system CAs" : false,
    clientCertificate: settings.KAFKA_SSL_CERT_FILE || false,
    sasl: settings.KAFKA_SASL_MECHANISM
      ? `${settings.KAFKA_SASL_MECHANISM} as ${settings.KAFKA_SASL_USERNAME}`
      : false,
  };
}
