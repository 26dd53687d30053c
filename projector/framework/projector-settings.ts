import { str } from "envalid";
import { positiveInt, readSettings, stackSettingSpecs, tcpPort } from "../../runtime/settings";
import { storeProfileSettings } from "../mongo/store-profile";

export function projectorSettingSpecs(defaults: { port: number; consumerGroup: string }) {
  return {
    ...stackSettingSpecs,
    PORT: tcpPort({ default: defaults.port, desc: "HTTP port of /healthz, /readyz and /metrics" }),
    HOST: str({ default: "127.0.0.1", desc: "address the operations endpoints listen on" }),
    CONSUMER_GROUP: str({
      default: "",
      desc: `Kafka consumer group of this projector (empty: TOPIC_PREFIX + ${defaults.consumerGroup})`,
    }),
    TOPIC_PARTITIONS: positiveInt({
      default: 3,
      desc: "partitions of topics the service creates when missing",
    }),
    MAX_BATCH_BYTES: positiveInt({ default: 1048576, desc: "bytes fetched per partition per batch" }),
    FETCH_MIN_BYTES: positiveInt({
      default: 1,
      desc: "bytes the broker gathers before it answers a fetch (or FETCH_MAX_WAIT_MS passes)",
    }),
    FETCH_MAX_WAIT_MS: positiveInt({
      default: 5000,
      desc: "longest the broker holds a fetch while fewer than FETCH_MIN_BYTES are there",
    }),
    MONGODB_PROFILE: str({
      default: "auto",
      choices: storeProfileSettings,
      desc: "limits of the MongoDB-wire server: mongodb, ferretdb-1.24, or auto (asks buildInfo)",
    }),
    REMEMBERED_DOCUMENTS: positiveInt({
      default: 10_000,
      desc: "documents a projector remembers as it wrote them, so their next write needs no read",
    }),
    STALL_AFTER_MS: positiveInt({
      default: 60_000,
      desc: "a partition with lag that commits nothing for this long is stalled: /readyz answers 503",
    }),
    STORE_REOPEN_AFTER_MS: positiveInt({
      default: 30_000,
      desc: "the MongoDB client is closed and reopened after store calls found no server for this long",
    }),
    SHUTDOWN_GRACE_MS: positiveInt({
      default: 10000,
      desc: "longest wait for requests in flight at shutdown",
    }),
  };
}

export type ProjectorSettings = ReturnType<typeof readProjectorSettings>;

export function readProjectorSettings(
  defaults: { port: number; consumerGroup: string },
  env: NodeJS.ProcessEnv = process.env,
) {
  const settings = readSettings(projectorSettingSpecs(defaults), env);
  // Deployments that share a broker through a topic prefix must not share consumer groups either.
  return {
    ...settings,
    CONSUMER_GROUP: settings.CONSUMER_GROUP || `${settings.TOPIC_PREFIX}${defaults.consumerGroup}`,
  };
}
