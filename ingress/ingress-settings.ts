import { bool, str } from "envalid";
import {
  addressList,
  positiveInt,
  readSettings,
  secretList,
  stackSettingSpecs,
  type SettingRelations,
  tcpPort,
} from "../runtime/settings";
import {
  configEncryptionSettingSpecs,
  developmentModeSettingSpecs,
  developmentSecretProblems,
  encryptionKeyProblems,
} from "../runtime/whatsapp-settings";

export const ingressSettingSpecs = {
  ...stackSettingSpecs,
  ...configEncryptionSettingSpecs,
  ...developmentModeSettingSpecs,
  // Empty is none: active whatsapp_configs documents may supply them; with neither, every POST gets 401.
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: secretList({
    default: [],
    desc: "verify token(s) of the webhook handshake",
  }),
  WHATSAPP_APP_SECRET: secretList({ default: [], desc: "app secret(s) that sign X-Hub-Signature-256" }),
  PORT: tcpPort({ default: 3000, desc: "public HTTP port of the ingress: the webhook and /healthz" }),
  HOST: str({ default: "127.0.0.1", desc: "address the ingress listens on (0.0.0.0 in a container)" }),
  OPS_PORT: tcpPort({
    default: 9464,
    desc: "port of /readyz and /metrics (and /healthz), off the public port",
  }),
  OPS_HOST: str({ default: "127.0.0.1", desc: "address of the operations listener" }),
  MAX_BODY_BYTES: positiveInt({
    default: 3 * 1024 * 1024,
    desc: "largest accepted body; Meta's limit is 3 MB",
  }),
  BODY_READ_TIMEOUT_MS: positiveInt({
    default: 15000,
    desc: "longest wait for a body once its headers arrived; slower gets 408 and the connection closed",
  }),
  MIN_BODY_BYTES_PER_SECOND: positiveInt({
    default: 65536,
    desc: "a body arriving slower than this on average, after its first second, gets 408 and the connection closed",
  }),
  HEADERS_TIMEOUT_MS: positiveInt({ default: 10000, desc: "longest wait for a request's headers" }),
  REQUEST_TIMEOUT_MS: positiveInt({ default: 30000, desc: "longest wait for a whole request" }),
  MAX_CONNECTIONS: positiveInt({
    default: 2048,
    desc: "open connections of the public port above which a POST gets 503 and its connection closed",
  }),
  LISTEN_BACKLOG: positiveInt({
    default: 4096,
    desc: "connections the kernel queues for each listening socket of the public port until accepted (capped by net.core.somaxconn)",
  }),
  LISTEN_SOCKETS: positiveInt({
    default: process.platform === "linux" ? 8 : 1,
    desc: "listening sockets of the public port (above 1: SO_REUSEPORT, Linux); each accepts one connection per turn of the event loop",
  }),
  MAX_DELIVERIES_IN_FLIGHT: positiveInt({
    default: 256,
    desc: "POSTs admitted and not yet answered, at which a new POST gets 503 before its body is read",
  }),
  MAX_TURN_WAIT_MS: positiveInt({
    default: 2000,
    desc: "longest the first delivery in line for its turn of the event loop may wait before a new POST gets 503 before its body is read",
  }),
  MAX_PRODUCE_BACKLOG_BYTES: positiveInt({
    default: 4 * 1024 * 1024,
    desc: "record bytes handed to Kafka and not yet acknowledged above which a POST gets 503 before its body is read",
  }),
  MAX_BODY_BYTES_IN_FLIGHT: positiveInt({
    default: 256 * 1024 * 1024,
    desc: "body bytes of the requests in hand above which a POST gets 503",
  }),
  TRUSTED_PROXIES: addressList({
    default: [],
    desc: "addresses or CIDR blocks of proxies whose X-Forwarded-For is believed",
  }),
  TRUST_TRACEPARENT: bool({ default: false, desc: "continue a caller's traceparent (else a new trace)" }),
  PUBLISH_TIMEOUT_MS: positiveInt({
    default: 5000,
    desc: "longest wait for Kafka's ack before answering 503",
  }),
  WHATSAPP_CONFIG_REFRESH_MS: positiveInt({ default: 30000, desc: "how often whatsapp_configs is re-read" }),
  TOPIC_PARTITIONS: positiveInt({ default: 3, desc: "partitions of topics the service creates" }),
  SHUTDOWN_GRACE_MS: positiveInt({ default: 10000, desc: "longest wait for in-flight requests at shutdown" }),
};

/**
 * The request timeout covers the other two; the bytes in flight hold at least one largest body; the
 * development secrets only in development mode; a previous encryption key only beside a current one.
 */
const ingressRelations: SettingRelations<typeof ingressSettingSpecs> = (settings) => {
  const problems: Record<string, string> = {
    ...developmentSecretProblems(settings.WHATSAPP_DEV_MODE, {
      WHATSAPP_APP_SECRET: settings.WHATSAPP_APP_SECRET,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: settings.WHATSAPP_WEBHOOK_VERIFY_TOKEN,
    }),
    ...encryptionKeyProblems(settings),
  };
  const request = settings.REQUEST_TIMEOUT_MS;
  if (request !== undefined)
    for (const name of ["HEADERS_TIMEOUT_MS", "BODY_READ_TIMEOUT_MS"] as const) {
      const timeout = settings[name];
      if (timeout !== undefined && timeout > request)
        problems[name] = `must not exceed REQUEST_TIMEOUT_MS (${request})`;
    }
  const { MAX_BODY_BYTES: maxBody, MAX_BODY_BYTES_IN_FLIGHT: inFlight } = settings;
  if (maxBody !== undefined && inFlight !== undefined && maxBody > inFlight)
    problems.MAX_BODY_BYTES_IN_FLIGHT = `must be at least MAX_BODY_BYTES (${maxBody})`;
  return problems;
};

export type IngressSettings = ReturnType<typeof readIngressSettings>;

export function readIngressSettings(env: NodeJS.ProcessEnv = process.env) {
  return readSettings(ingressSettingSpecs, env, ingressRelations);
}
