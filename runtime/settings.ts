import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { config as loadDotenv } from "dotenv";
import { cleanEnv, EnvError, makeValidator, str, url, type CleanedEnv, type ValidatorSpec } from "envalid";
import { connectionSettingProblems } from "./connection-settings";
import { kafkaSettingSpecs } from "./kafka-settings";
import { mongoSettingSpecs } from "./mongodb-settings";
import { schemaRegistrySettingSpecs } from "./schema-registry-settings";

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

/** Settings every service shares: where the stack is, how to reach it, and how to report. */
export const stackSettingSpecs = {
  ...kafkaSettingSpecs,
  ...schemaRegistrySettingSpecs,
  ...mongoSettingSpecs,
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
 * Any variable may be given instead as `<NAME>_FILE`: the path of a file holding its value (trimmed), as
 * Docker and Kubernetes mount secrets, so the value is in neither the environment nor `ps`. Returns the
 * environment with those values in, and a problem by variable name for each file that did not serve.
 */
export function withValuesFromFiles(
  names: readonly string[],
  env: NodeJS.ProcessEnv,
): { env: NodeJS.ProcessEnv; problems: Record<string, string> } {
  const resolved = { ...env };
  const problems: Record<string, string> = {};
  for (const name of names) {
    const path = env[`${name}_FILE`]?.trim();
    if (!path) continue;
    if (env[name]) {
      problems[`${name}_FILE`] = `set together with ${name}: keep one`;
      continue;
    }
    let value: string;
    try {
      value = readFileSync(path, "utf8").trim();
    } catch (error) {
      problems[`${name}_FILE`] = `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`;
      continue;
    }
    if (value) resolved[name] = value;
    else problems[`${name}_FILE`] = `${path} is empty`;
  }
  return { env: resolved, problems };
}

/**
 * Validates `env` (the process environment plus `.env`, values from `<NAME>_FILE` files in) against
 * `specs`, then the connection settings among them and `relations`. Throws one SettingsError that names
 * every missing, malformed or ill-related variable; its messages never hold a value read from a file.
 */
export function readSettings<S extends Record<string, ValidatorSpec<unknown>>>(
  specs: S,
  env: NodeJS.ProcessEnv = process.env,
  relations?: SettingRelations<S>,
): CleanedEnv<S> {
  if (env === process.env) loadDotenvFile();
  const fromFiles = withValuesFromFiles(Object.keys(specs), env);
  return cleanEnv(fromFiles.env, specs, {
    reporter: ({ errors, env: wellFormed }) => {
      const problems: Record<string, string> = { ...fromFiles.problems };
      for (const [name, error] of Object.entries(errors)) {
        if (!error || problems[`${name}_FILE`]) continue;
        problems[name] =
          error.name === "EnvMissingError" ? "missing (required)" : `malformed: ${error.message}`;
      }
      const related = {
        ...connectionSettingProblems(wellFormed as Parameters<typeof connectionSettingProblems>[0]),
        ...relations?.(wellFormed as Partial<CleanedEnv<S>>),
      };
      for (const [name, problem] of Object.entries(related)) problems[name] ??= problem;
      if (Object.keys(problems).length > 0) throw new SettingsError(problems);
    },
  });
}
