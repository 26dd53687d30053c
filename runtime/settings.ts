import { isIP } from "node:net";
import { config as loadDotenv } from "dotenv";
import { cleanEnv, EnvError, makeValidator, str, url, type CleanedEnv, type ValidatorSpec } from "envalid";

/** Raised at start-up; its message names every missing or malformed variable. */
export class SettingsError extends Error {
  constructor(readonly problems: Record<string, string>) {
    super(
      "Invalid configuration:\n" +
        Object.entries(problems)
          .map(([name, problem]) => `  ${name}: ${problem}`)
          .join("\n") +
        "\nSee .env.example for every variable, its default and its meaning.",
    );
    this.name = "SettingsError";
  }
}

let dotenvLoaded = false;

/** Reads `.env` once when present; variables already in the environment win. */
export function loadDotenvFile(): void {
  if (dotenvLoaded) return;
  dotenvLoaded = true;
  loadDotenv({ quiet: true, override: false });
}

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

/**
 * Comma-separated list of non-empty secrets (several may be valid at once during a rotation). A value
 * left empty is none, as an unset one; commas without a secret are a mistake.
 */
export const secretList = makeValidator<string[]>((raw) => {
  if (raw.trim() === "") return [];
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new EnvError("expected at least one non-empty value");
  return entries;
});

/** Comma-separated IP addresses or CIDR blocks (`10.0.0.0/8`); may be empty. */
export const addressList = makeValidator<string[]>((raw) => {
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const bits = isIP(address) === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (isIP(address) === 0 || !prefixOk) throw new EnvError(`"${entry}" is not an IP address or CIDR block`);
  }
  return entries;
});

export const mongoUri = makeValidator<string>((raw) => {
  if (!/^mongodb(\+srv)?:\/\/.+/.test(raw)) throw new EnvError("expected a mongodb:// or mongodb+srv:// URI");
  return raw;
});

export const positiveInt = makeValidator<number>((raw) => {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0) throw new EnvError(`"${raw}" is not a positive integer`);
  return Number(raw);
});

export const tcpPort = makeValidator<number>((raw) => {
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65535)
    throw new EnvError(`"${raw}" is not a TCP port (0: any free port)`);
  return port;
});

/** Settings every service shares: where the stack is and how to report. */
export const stackSettingSpecs = {
  KAFKA_BROKERS: hostPortList({ default: ["127.0.0.1:9092"], desc: "Kafka bootstrap servers" }),
  SCHEMA_REGISTRY_URL: url({
    default: "http://127.0.0.1:8081/apis/ccompat/v7",
    desc: "Confluent-compatible schema registry base URL",
  }),
  MONGODB_URI: mongoUri({ default: "mongodb://127.0.0.1:27017", desc: "MongoDB (or wire-compatible) URI" }),
  MONGODB_DB: str({ default: "whatsapp", desc: "database of the read models and whatsapp_configs" }),
  OTEL_EXPORTER_OTLP_ENDPOINT: url({ default: "http://127.0.0.1:4318", desc: "OTLP/HTTP base URL" }),
  TOPIC_PREFIX: str({ default: "", desc: "prefix put before every topic name (test isolation)" }),
  LOG_LEVEL: str({
    default: "info",
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    desc: "pino log level",
  }),
};

/** Rules between variables, given the values that are well-formed: a problem by variable name. */
export type SettingRelations<S> = (settings: Partial<CleanedEnv<S>>) => Record<string, string>;

/**
 * Validates `env` (the process environment plus `.env`) against `specs`, then against `relations`.
 * Throws one SettingsError that names every missing, malformed or ill-related variable.
 */
export function readSettings<S extends Record<string, ValidatorSpec<unknown>>>(
  specs: S,
  env: NodeJS.ProcessEnv = process.env,
  relations?: SettingRelations<S>,
): CleanedEnv<S> {
  if (env === process.env) loadDotenvFile();
  return cleanEnv(env, specs, {
    reporter: ({ errors, env: wellFormed }) => {
      const problems: Record<string, string> = {};
      for (const [name, error] of Object.entries(errors)) {
        if (!error) continue;
        problems[name] =
          error.name === "EnvMissingError" ? "missing (required)" : `malformed: ${error.message}`;
      }
      for (const [name, problem] of Object.entries(relations?.(wellFormed as Partial<CleanedEnv<S>>) ?? {}))
        problems[name] ??= problem;
      if (Object.keys(problems).length > 0) throw new SettingsError(problems);
    },
  });
}
