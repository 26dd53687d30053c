import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeConnections } from "./connection-settings";
import { kafkaConnectionOf } from "./kafka-settings";
import { mongoClientOptions, redactedMongoUri } from "./mongodb-settings";
import { schemaRegistryConnectionOf } from "./schema-registry-settings";
import { readSettings, SettingsError, stackSettingSpecs } from "./settings";

// docs/operations.md (#managed-services): TLS and credentials of Kafka, the schema registry and MongoDB,
// refusals that name the variable, and secrets that appear in no message and no log line.
const directory = mkdtempSync(path.join(tmpdir(), "connection-settings-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function fileOf(name: string, content: string): string {
  const file = path.join(directory, name);
  writeFileSync(file, content);
  return file;
}
const pem = (label: string) => `-----BEGIN ${label}-----\nMIIBfake\n-----END ${label}-----\n`;
const caFile = fileOf("ca.pem", pem("CERTIFICATE"));
const certificate = fileOf("client.pem", pem("CERTIFICATE"));
const key = fileOf("client.key", pem("PRIVATE KEY"));

const read = (env: NodeJS.ProcessEnv) => readSettings(stackSettingSpecs, env);

/** The problems `env` is refused with (fails the test when it is accepted). */
function problemsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    read(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error("accepted settings that should have been refused");
}

describe("Kafka", () => {
  it("connects in plain text without credentials by default", () => {
    expect(kafkaConnectionOf(read({}))).toEqual({ brokers: ["127.0.0.1:9092"] });
  });

  it("uses the system's CAs when TLS is on without a CA file", () => {
    expect(kafkaConnectionOf(read({ KAFKA_SSL: "true" })).ssl).toBe(true);
  });

  it("reads the CA, the client certificate and key, and takes SASL credentials", () => {
    const connection = kafkaConnectionOf(
      read({
        KAFKA_BROKERS: "b-1.example:9096,b-2.example:9096",
        KAFKA_SSL: "true",
        KAFKA_SSL_CA_FILE: caFile,
        KAFKA_SSL_CERT_FILE: certificate,
        KAFKA_SSL_KEY_FILE: key,
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: "svc",
        KAFKA_SASL_PASSWORD: "kafka-password",
      }),
    );
    expect(connection).toEqual({
      brokers: ["b-1.example:9096", "b-2.example:9096"],
      ssl: { ca: pem("CERTIFICATE"), cert: pem("CERTIFICATE"), key: pem("PRIVATE KEY") },
      sasl: { mechanism: "scram-sha-512", username: "svc", password: "kafka-password" },
    });
  });

  it("takes the password from KAFKA_SASL_PASSWORD_FILE, without its newline", () => {
    const settings = read({
      KAFKA_SSL: "true",
      KAFKA_SASL_MECHANISM: "plain",
      KAFKA_SASL_USERNAME: "svc",
      KAFKA_SASL_PASSWORD_FILE: fileOf("kafka-password", "from-a-file\n"),
    });
    expect(kafkaConnectionOf(settings).sasl).toEqual({
      mechanism: "plain",
      username: "svc",
      password: "from-a-file",
    });
  });

  it("refuses incomplete or contradictory settings, naming each variable", () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: "scram-sha-256" })).toEqual({
      KAFKA_SASL_USERNAME: "missing (required with KAFKA_SASL_MECHANISM=scram-sha-256)",
      KAFKA_SASL_PASSWORD:
        "missing (required with KAFKA_SASL_MECHANISM=scram-sha-256; or KAFKA_SASL_PASSWORD_FILE)",
    });
    expect(problemsOf({ KAFKA_SASL_USERNAME: "svc", KAFKA_SASL_PASSWORD: "p" })).toEqual({
      KAFKA_SASL_MECHANISM:
        "missing (required with KAFKA_SASL_USERNAME): plain, scram-sha-256 or scram-sha-512",
    });
    expect(problemsOf({ KAFKA_SASL_MECHANISM: "gssapi" })).toEqual({
      KAFKA_SASL_MECHANISM: 'malformed: "gssapi" is none of plain, scram-sha-256, scram-sha-512',
    });
    expect(
      problemsOf({ KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "svc", KAFKA_SASL_PASSWORD: "p" }),
    ).toEqual({
      KAFKA_SASL_MECHANISM:
        "plain sends the password in clear: set KAFKA_SSL=true (or use scram-sha-256 or scram-sha-512)",
    });
    expect(problemsOf({ KAFKA_SSL_CA_FILE: caFile })).toEqual({
      KAFKA_SSL_CA_FILE: "set, but KAFKA_SSL is off: set KAFKA_SSL=true to connect over TLS",
    });
    expect(problemsOf({ KAFKA_SSL: "true", KAFKA_SSL_CERT_FILE: certificate })).toEqual({
      KAFKA_SSL_KEY_FILE: "missing (required with KAFKA_SSL_CERT_FILE)",
    });
    expect(problemsOf({ KAFKA_SSL: "yes" })).toEqual({ KAFKA_SSL: 'malformed: "yes" is neither 1 nor 0' });
  });

  it("refuses a CA file that does not exist or holds no certificate, and a key it cannot use", () => {
    const missing = path.join(directory, "no-such-ca.pem");
    expect(problemsOf({ KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: missing })).toEqual({
      KAFKA_SSL_CA_FILE: `malformed: cannot read ${missing}: ENOENT`,
    });
    expect(problemsOf({ KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: key })).toEqual({
      KAFKA_SSL_CA_FILE: `malformed: ${key} holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)`,
    });
    const encrypted = fileOf("encrypted.key", pem("ENCRYPTED PRIVATE KEY"));
    expect(
      problemsOf({ KAFKA_SSL: "true", KAFKA_SSL_CERT_FILE: certificate, KAFKA_SSL_KEY_FILE: encrypted }),
    ).toEqual({
      KAFKA_SSL_KEY_FILE: `malformed: ${encrypted} holds an encrypted private key; give it decrypted (openssl pkey -in <key> -out <decrypted key>)`,
    });
  });
});

describe("values from files", () => {
  it("refuses a variable given twice, and a file that is missing or empty", () => {
    const missing = path.join(directory, "no-such-password");
    expect(
      problemsOf({
        KAFKA_SSL: "true",
        KAFKA_SASL_MECHANISM: "plain",
        KAFKA_SASL_USERNAME: "svc",
        KAFKA_SASL_PASSWORD: "direct",
        KAFKA_SASL_PASSWORD_FILE: fileOf("also", "from-file"),
        SCHEMA_REGISTRY_USERNAME: "svc",
        SCHEMA_REGISTRY_PASSWORD_FILE: missing,
        SCHEMA_REGISTRY_BEARER_TOKEN_FILE: fileOf("empty", "\n"),
      }),
    ).toEqual({
      KAFKA_SASL_PASSWORD_FILE: "set together with KAFKA_SASL_PASSWORD: keep one",
      SCHEMA_REGISTRY_PASSWORD_FILE: `cannot read ${missing}: ENOENT`,
      SCHEMA_REGISTRY_BEARER_TOKEN_FILE: `${path.join(directory, "empty")} is empty`,
      SCHEMA_REGISTRY_PASSWORD:
        "missing (required with SCHEMA_REGISTRY_USERNAME; or SCHEMA_REGISTRY_PASSWORD_FILE)",
    });
  });

  it("serves any variable, the MongoDB URI with its password too", () => {
    const uri = "mongodb+srv://svc:mongo-password@cluster0.example.mongodb.net/?retryWrites=true";
    expect(read({ MONGODB_URI_FILE: fileOf("mongodb-uri", `${uri}\n`) }).MONGODB_URI).toBe(uri);
  });
});

describe("schema registry", () => {
  const url = "https://psrc-1.example.confluent.cloud";

  it("sends no credentials by default", () => {
    expect(schemaRegistryConnectionOf(read({}))).toEqual({
      url: "http://127.0.0.1:8081/apis/ccompat/v7",
      credentials: "a request without credentials",
    });
  });

  it("sends basic credentials from two variables or from Confluent's user:password, or a bearer token", () => {
    const basic = `Basic ${Buffer.from("API_KEY:api:secret").toString("base64")}`;
    const expected = { url, authorization: basic, credentials: "the basic credentials of user API_KEY" };
    expect(
      schemaRegistryConnectionOf(
        read({
          SCHEMA_REGISTRY_URL: url,
          SCHEMA_REGISTRY_USERNAME: "API_KEY",
          SCHEMA_REGISTRY_PASSWORD: "api:secret",
        }),
      ),
    ).toEqual(expected);
    expect(
      schemaRegistryConnectionOf(
        read({ SCHEMA_REGISTRY_URL: `${url}/`, SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: "API_KEY:api:secret" }),
      ),
    ).toEqual(expected);
    expect(
      schemaRegistryConnectionOf(
        read({ SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_BEARER_TOKEN: "token-value" }),
      ),
    ).toEqual({ url, authorization: "Bearer token-value", credentials: "the bearer token" });
  });

  it("reads the CA file of an https registry", () => {
    expect(
      schemaRegistryConnectionOf(read({ SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_CA_FILE: caFile })).ca,
    ).toBe(pem("CERTIFICATE"));
  });

  it("refuses credentials given two ways or half, a CA for http, and credentials inside the URL", () => {
    expect(
      problemsOf({
        SCHEMA_REGISTRY_URL: "http://registry:8081",
        SCHEMA_REGISTRY_USERNAME: "svc",
        SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: "svc:registry-password",
        SCHEMA_REGISTRY_BEARER_TOKEN: "registry-token",
        SCHEMA_REGISTRY_CA_FILE: caFile,
      }),
    ).toEqual({
      SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO:
        "set together with SCHEMA_REGISTRY_USERNAME or SCHEMA_REGISTRY_PASSWORD: give the credentials one way",
      SCHEMA_REGISTRY_PASSWORD:
        "missing (required with SCHEMA_REGISTRY_USERNAME; or SCHEMA_REGISTRY_PASSWORD_FILE)",
      SCHEMA_REGISTRY_BEARER_TOKEN: "set together with basic credentials: give one or the other",
      SCHEMA_REGISTRY_CA_FILE: "set, but SCHEMA_REGISTRY_URL is http://: a CA is for an https:// registry",
    });
    expect(problemsOf({ SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: "registry-password" })).toEqual({
      SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: "malformed: expected user:password",
    });
    expect(problemsOf({ SCHEMA_REGISTRY_URL: "https://svc:registry-password@registry.example" })).toEqual({
      SCHEMA_REGISTRY_URL:
        "malformed: holds credentials: give them in SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD instead",
    });
  });
});

describe("MongoDB", () => {
  it("turns TLS on with a CA file, and refuses one beside tls=false in the URI", () => {
    expect(mongoClientOptions(read({}))).toEqual({});
    expect(mongoClientOptions(read({ MONGODB_TLS_CA_FILE: caFile }))).toEqual({
      tls: true,
      tlsCAFile: caFile,
    });
    expect(problemsOf({ MONGODB_URI: "mongodb://db:27017/?tls=false", MONGODB_TLS_CA_FILE: caFile })).toEqual(
      {
        MONGODB_TLS_CA_FILE: "set, but MONGODB_URI turns TLS off (tls=false)",
      },
    );
  });

  it("hides the URI's password in logs", () => {
    expect(redactedMongoUri("mongodb+srv://svc:p%40ss@cluster0.example.net/db?tls=true")).toBe(
      "mongodb+srv://svc:***@cluster0.example.net/db?tls=true",
    );
    expect(redactedMongoUri("mongodb://svc:un@encoded@db:27017")).toBe("mongodb://svc:***@db:27017");
    expect(redactedMongoUri("mongodb://db:27017")).toBe("mongodb://db:27017");
  });
});

describe("secrets", () => {
  const secrets = ["kafka-password", "registry-password", "registry-token", "mongo-password"];
  const configured = {
    KAFKA_BROKERS: "broker.example:9093",
    KAFKA_SSL: "true",
    KAFKA_SSL_CA_FILE: caFile,
    KAFKA_SASL_MECHANISM: "scram-sha-512",
    KAFKA_SASL_USERNAME: "svc",
    KAFKA_SASL_PASSWORD: "kafka-password",
    SCHEMA_REGISTRY_URL: "https://registry.example",
    SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: "svc:registry-password",
    MONGODB_URI: "mongodb://svc:mongo-password@db.example:27017/?tls=true",
  };

  it("appear in no part of the start-up log line", () => {
    const line = JSON.stringify(describeConnections(read(configured)));
    expect(JSON.parse(line)).toEqual({
      kafka: {
        brokers: ["broker.example:9093"],
        tls: caFile,
        clientCertificate: false,
        sasl: "scram-sha-512 as svc",
      },
      schemaRegistry: { url: "https://registry.example", auth: "basic as svc", ca: "system CAs" },
      mongodb: { uri: "mongodb://svc:***@db.example:27017/?tls=true", tlsCAFile: false },
    });
    for (const secret of secrets) expect(line).not.toContain(secret);
  });

  it("appear in no refusal, whatever else is wrong", () => {
    const messages = [
      { ...configured, KAFKA_SASL_MECHANISM: "", SCHEMA_REGISTRY_BEARER_TOKEN: "registry-token" },
      { ...configured, KAFKA_SASL_USERNAME: "", MONGODB_URI: "mysql://svc:mongo-password@db" },
      { ...configured, SCHEMA_REGISTRY_URL: "https://svc:registry-password@registry.example" },
      { ...configured, SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: "registry-password" },
      { ...configured, KAFKA_SASL_PASSWORD_FILE: fileOf("secret-file", "kafka-password") },
    ].map((env) => {
      try {
        read(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("accepted settings that should have been refused");
    });
    for (const message of messages) for (const secret of secrets) expect(message).not.toContain(secret);
  });
});
