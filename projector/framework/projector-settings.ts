import { str } from "envalid";
import { defaultPort, projectorServiceName, serviceNames } from "../../runtime/service-names";
import {
  loadDotenvFile,
  positiveInt,
  readSettings,
  SettingsError,
  stackSettingSpecs,
  tcpPort,
} from "../../runtime/settings";
import { storeProfileSettings } from "../mongo/store-profile";
import { serviceNameOf, type Projection } from "./projection";

export function projectorSettingSpecs(defaults: { port: number }) {
  return {
    ...stackSettingSpecs,
    PORT: tcpPort({ default: defaults.port, desc: "HTTP port of /healthz, /readyz and /metrics" }),
    HOST: str({ default: "127.0.0.1", desc: "address the operations endpoints listen on" }),
    PROJECTIONS: str({
      default: "",
      desc: "projections this process runs, comma-separated (empty: PROJECTION, else every projection)",
    }),
    PROJECTION: str({ default: "", desc: "one projection to run, when PROJECTIONS is empty" }),
    CONSUMER_GROUP: str({
      default: "",
      desc: "Kafka consumer group of a process that runs one projection (empty: TOPIC_PREFIX + whatsapp-<projection>-projector)",
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

export function readProjectorSettings(defaults: { port: number }, env: NodeJS.ProcessEnv = process.env) {
  return readSettings(projectorSettingSpecs(defaults), env);
}

/**
 * The projections a process runs: `PROJECTIONS` (comma-separated), else `PROJECTION`, else every one.
 * An unknown name fails the start, naming the variable and the known names.
 */
export function selectProjections<P extends { name: string }>(
  known: Readonly<Record<string, P>>,
  env: NodeJS.ProcessEnv = process.env,
): P[] {
  const variable = env.PROJECTIONS ? "PROJECTIONS" : env.PROJECTION ? "PROJECTION" : null;
  if (!variable) return Object.values(known);
  const names = [
    ...new Set(
      env[variable]!.split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = names.filter((name) => !known[name]);
  if (names.length === 0 || unknown.length > 0)
    throw new SettingsError({
      [variable]: `malformed: "${env[variable]}" names ${unknown.length > 0 ? `"${unknown.join('", "')}", not` : "none of"} ${Object.keys(known).join(", ")}`,
    });
  return names.map((name) => known[name]!);
}

/** Why CONSUMER_GROUP fails the start of a process that runs several projections. */
export const consumerGroupOfSeveral =
  "names one projection's group: unset it to run several (each gets its own group)";

/**
 * What a projector process runs, its name and its settings, from the environment and `.env` (read
 * before PROJECTIONS, as before every variable): one SettingsError names every problem of them.
 */
export function readProjectorProcess<P extends { name: string }>(
  known: Readonly<Record<string, P>>,
  env: NodeJS.ProcessEnv = process.env,
): { projections: P[]; name: string; settings: ProjectorSettings } {
  if (env === process.env) loadDotenvFile();
  const problems: Record<string, string> = {};
  const collectProblems = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      Object.assign(problems, error.problems);
      return undefined;
    }
  };
  const projections = collectProblems(() => selectProjections(known, env)) ?? [];
  const name = projectorProcessName(projections);
  const settings = collectProblems(() => readProjectorSettings({ port: defaultPort(name) }, env));
  // Read as given: a plain string, whatever else is malformed.
  if (env.CONSUMER_GROUP && projections.length > 1) problems.CONSUMER_GROUP = consumerGroupOfSeveral;
  if (!settings || Object.keys(problems).length > 0) throw new SettingsError(problems);
  return { projections, name, settings };
}

/** A process's service name (traces, logs, default port): its projection's, or `whatsapp-projector` for several. */
export const projectorProcessName = (projections: readonly { name: string }[]): string =>
  projections.length === 1 ? projectorServiceName(projections[0]!.name) : serviceNames.projectors;

/**
 * A projection's consumer group: CONSUMER_GROUP in a process that runs only it, else one per projection
 * and deployment (deployments that share a broker through a topic prefix must not share groups).
 */
export function consumerGroupOf(
  projection: Pick<Projection<never>, "name">,
  settings: Pick<ProjectorSettings, "CONSUMER_GROUP" | "TOPIC_PREFIX">,
): string {
  return settings.CONSUMER_GROUP || `${settings.TOPIC_PREFIX}${serviceNameOf(projection)}`;
}
