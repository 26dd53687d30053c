import { randomBytes } from "node:crypto";
import { SettingsError } from "../runtime/settings";
import { readIngressSettings } from "./ingress-settings";

// The ingress's settings as docs/operations.md states them: defaults, and refusals naming the variable.
const secrets = { WHATSAPP_APP_SECRET: "app-secret", WHATSAPP_WEBHOOK_VERIFY_TOKEN: "verify-token" };

/** The SettingsError `env` is refused with (fails the test when it is accepted). */
function refusal(env: NodeJS.ProcessEnv): SettingsError {
  try {
    readIngressSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("accepted settings that should have been refused");
}

it("has the defaults of the documentation", () => {
  expect(readIngressSettings({})).toMatchObject({
    PORT: 3000,
    HOST: "127.0.0.1",
    OPS_PORT: 9464,
    OPS_HOST: "127.0.0.1",
    MAX_BODY_BYTES: 3_145_728,
    BODY_READ_TIMEOUT_MS: 15_000,
    HEADERS_TIMEOUT_MS: 10_000,
    REQUEST_TIMEOUT_MS: 30_000,
    MIN_BODY_BYTES_PER_SECOND: 65_536,
    MAX_CONNECTIONS: 2048,
    LISTEN_BACKLOG: 4096,
    LISTEN_SOCKETS: process.platform === "linux" ? 8 : 1,
    MAX_DELIVERIES_IN_FLIGHT: 256,
    MAX_TURN_WAIT_MS: 2000,
    MAX_PRODUCE_BACKLOG_BYTES: 4_194_304,
    MAX_BODY_BYTES_IN_FLIGHT: 268_435_456,
    TRUSTED_PROXIES: [],
    TRUST_TRACEPARENT: false,
    PUBLISH_TIMEOUT_MS: 5000,
    WHATSAPP_CONFIG_REFRESH_MS: 30_000,
    TOPIC_PARTITIONS: 3,
    SHUTDOWN_GRACE_MS: 10_000,
    // Empty here: an active whatsapp_configs document may supply them (checked once MongoDB is read).
    WHATSAPP_APP_SECRET: [],
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: [],
  });
});

it("refuses HEADERS_TIMEOUT_MS and BODY_READ_TIMEOUT_MS above REQUEST_TIMEOUT_MS, naming each", () => {
  const { problems } = refusal({
    ...secrets,
    REQUEST_TIMEOUT_MS: "5000",
    HEADERS_TIMEOUT_MS: "5001",
    BODY_READ_TIMEOUT_MS: "6000",
  });
  expect(problems).toEqual({
    HEADERS_TIMEOUT_MS: "must not exceed REQUEST_TIMEOUT_MS (5000)",
    BODY_READ_TIMEOUT_MS: "must not exceed REQUEST_TIMEOUT_MS (5000)",
  });
  // "At least the two above": equal is enough.
  expect(
    readIngressSettings({
      ...secrets,
      REQUEST_TIMEOUT_MS: "5000",
      HEADERS_TIMEOUT_MS: "5000",
      BODY_READ_TIMEOUT_MS: "5000",
    }).REQUEST_TIMEOUT_MS,
  ).toBe(5000);
});

it("refuses MAX_BODY_BYTES_IN_FLIGHT below MAX_BODY_BYTES, naming it", () => {
  const { problems } = refusal({ ...secrets, MAX_BODY_BYTES: "2048", MAX_BODY_BYTES_IN_FLIGHT: "2047" });
  expect(problems).toEqual({ MAX_BODY_BYTES_IN_FLIGHT: "must be at least MAX_BODY_BYTES (2048)" });
  expect(
    readIngressSettings({ ...secrets, MAX_BODY_BYTES: "2048", MAX_BODY_BYTES_IN_FLIGHT: "2048" })
      .MAX_BODY_BYTES_IN_FLIGHT,
  ).toBe(2048);
});

it("names every malformed variable in one message", () => {
  const error = refusal({
    ...secrets,
    PORT: "65536",
    OPS_PORT: "metrics",
    MAX_BODY_BYTES: "0",
    BODY_READ_TIMEOUT_MS: "15s",
    MIN_BODY_BYTES_PER_SECOND: "-1",
    MAX_CONNECTIONS: "1.5",
    TRUSTED_PROXIES: "10.0.0.0/33",
    TRUST_TRACEPARENT: "maybe",
    LOG_LEVEL: "verbose",
    SCHEMA_REGISTRY_URL: "127.0.0.1:8081/apis/ccompat/v7",
    WHATSAPP_APP_SECRET: " , ",
  });
  const named = [
    "PORT",
    "OPS_PORT",
    "MAX_BODY_BYTES",
    "BODY_READ_TIMEOUT_MS",
    "MIN_BODY_BYTES_PER_SECOND",
    "MAX_CONNECTIONS",
    "TRUSTED_PROXIES",
    "TRUST_TRACEPARENT",
    "LOG_LEVEL",
    "SCHEMA_REGISTRY_URL",
    "WHATSAPP_APP_SECRET",
  ];
  expect(Object.keys(error.problems).sort()).toEqual([...named].sort());
  for (const name of named) expect(error.message).toContain(`  ${name}: malformed`);
});

it("takes 0 for PORT and OPS_PORT (any free port)", () => {
  expect(readIngressSettings({ ...secrets, PORT: "0", OPS_PORT: "0" })).toMatchObject({
    PORT: 0,
    OPS_PORT: 0,
  });
});

it("takes addresses and CIDR blocks, IPv4 and IPv6, in TRUSTED_PROXIES, and nothing else", () => {
  expect(
    readIngressSettings({ ...secrets, TRUSTED_PROXIES: "10.0.0.0/8, 192.168.1.7,::1,fd00::/8" }),
  ).toMatchObject({ TRUSTED_PROXIES: ["10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8"] });
  for (const entry of ["proxy.internal", "10.0.0.0/33", "fd00::/129", "10.0.0.0/x"])
    expect(refusal({ ...secrets, TRUSTED_PROXIES: entry }).problems.TRUSTED_PROXIES).toBe(
      `malformed: "${entry}" is not an IP address or CIDR block`,
    );
});

it("takes the verify token and app secret left empty, as unset (a whatsapp_configs document may supply them)", () => {
  expect(readIngressSettings({ WHATSAPP_APP_SECRET: "", WHATSAPP_WEBHOOK_VERIFY_TOKEN: " " })).toMatchObject({
    WHATSAPP_APP_SECRET: [],
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: [],
  });
});

it("splits several verify tokens and app secrets, comma-separated (a rotation)", () => {
  expect(
    readIngressSettings({ WHATSAPP_APP_SECRET: "old, new", WHATSAPP_WEBHOOK_VERIFY_TOKEN: "one,two" }),
  ).toMatchObject({ WHATSAPP_APP_SECRET: ["old", "new"], WHATSAPP_WEBHOOK_VERIFY_TOKEN: ["one", "two"] });
});

it("names a timeout above REQUEST_TIMEOUT_MS in the same message as a malformed variable", () => {
  const { problems } = refusal({ ...secrets, PORT: "web", HEADERS_TIMEOUT_MS: "40000" });
  expect(problems).toEqual({
    PORT: 'malformed: "web" is not a TCP port (0: any free port)',
    HEADERS_TIMEOUT_MS: "must not exceed REQUEST_TIMEOUT_MS (30000)",
  });
});

it("refuses the development secrets of make up outside WHATSAPP_DEV_MODE=1, naming each variable", () => {
  const development = {
    WHATSAPP_APP_SECRET: "dev-app-secret",
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "real,dev-verify-token",
  };
  expect(refusal(development).problems).toEqual({
    WHATSAPP_APP_SECRET:
      'holds the development value "dev-app-secret", accepted only with WHATSAPP_DEV_MODE=1',
    WHATSAPP_WEBHOOK_VERIFY_TOKEN:
      'holds the development value "dev-verify-token", accepted only with WHATSAPP_DEV_MODE=1',
  });
  expect(refusal({ ...development, WHATSAPP_DEV_MODE: "0" }).problems).toHaveProperty("WHATSAPP_APP_SECRET");
  expect(readIngressSettings({ ...development, WHATSAPP_DEV_MODE: "1" })).toMatchObject({
    WHATSAPP_DEV_MODE: true,
    WHATSAPP_APP_SECRET: ["dev-app-secret"],
  });
});

it("takes CONFIG_ENCRYPTION_KEY as openssl prints it, and names it when malformed or missing beside a previous one", () => {
  const key = randomBytes(32).toString("base64");
  expect(
    readIngressSettings({ ...secrets, CONFIG_ENCRYPTION_KEY: `${key}\n` }).CONFIG_ENCRYPTION_KEY,
  ).toMatchObject({
    bytes: Buffer.from(key, "base64"),
  });
  expect(refusal({ ...secrets, CONFIG_ENCRYPTION_KEY: "not-a-key" }).problems.CONFIG_ENCRYPTION_KEY).toMatch(
    /^malformed: expected 32 bytes in base64/,
  );
  expect(refusal({ ...secrets, CONFIG_ENCRYPTION_KEY_PREVIOUS: key }).problems).toEqual({
    CONFIG_ENCRYPTION_KEY: "missing (required when CONFIG_ENCRYPTION_KEY_PREVIOUS is set)",
  });
});
