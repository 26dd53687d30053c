import { str } from "envalid";
import { positiveInt, readSettings, secretList, stackSettingSpecs, tcpPort } from "../runtime/settings";

export const ingressSettingSpecs = {
  ...stackSettingSpecs,
  // Optional here: active whatsapp_configs documents may supply them instead (checked at start-up).
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: secretList({
    default: [],
    desc: "verify token(s) of the webhook handshake",
  }),
  WHATSAPP_APP_SECRET: secretList({ default: [], desc: "app secret(s) that sign X-Hub-Signature-256" }),
  PORT: tcpPort({ default: 3000, desc: "HTTP port of the ingress" }),
  HOST: str({ default: "127.0.0.1", desc: "address the ingress listens on (0.0.0.0 in a container)" }),
  MAX_BODY_BYTES: positiveInt({
    default: 3 * 1024 * 1024,
    desc: "largest accepted body; Meta's limit is 3 MB",
  }),
  PUBLISH_TIMEOUT_MS: positiveInt({
    default: 5000,
    desc: "longest wait for Kafka's ack before answering 503",
  }),
  WHATSAPP_CONFIG_REFRESH_MS: positiveInt({ default: 30000, desc: "how often whatsapp_configs is re-read" }),
  TOPIC_PARTITIONS: positiveInt({ default: 3, desc: "partitions of topics the service creates" }),
  SHUTDOWN_GRACE_MS: positiveInt({ default: 10000, desc: "longest wait for in-flight requests at shutdown" }),
};

export type IngressSettings = ReturnType<typeof readIngressSettings>;

export function readIngressSettings(env: NodeJS.ProcessEnv = process.env) {
  return readSettings(ingressSettingSpecs, env);
}
