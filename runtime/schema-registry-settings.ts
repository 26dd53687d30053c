import { readFileSync } from "node:fs";
import { EnvError, makeValidator, str, type CleanedEnv } from "envalid";
import type { SchemaRegistryConnection } from "../contracts/schema-registry-client";
import { certificateFile } from "./setting-validators";

/** An http(s) URL without credentials in it (the URL is logged; credentials have variables of their own). */
const registryUrl = makeValidator<string>((raw) => {
  const value = raw.trim();
  if (!URL.canParse(value)) throw new EnvError("not a URL: expected http://host:port/... or https://...");
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new EnvError(`expected http:// or https://, not ${url.protocol}//`);
  if (url.username || url.password)
    throw new EnvError(
      "holds credentials: give them in SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD instead",
    );
  return value.replace(/\/$/, "");
});

/** The registry and its credentials: basic (two variables, or Confluent's user:password) or a bearer token. */
export const schemaRegistrySettingSpecs = {
  SCHEMA_REGISTRY_URL: registryUrl({
    default: "http://127.0.0.1:8081/apis/ccompat/v7",
    desc: "Confluent-compatible schema registry base URL",
  }),
  SCHEMA_REGISTRY_USERNAME: str({ default: "", desc: "basic-auth user of the registry (an API key)" }),
  SCHEMA_REGISTRY_PASSWORD: str({ default: "", desc: "its password (an API secret), never logged" }),
  SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: str({
    default: "",
    desc: "user:password in one variable, as Confluent's clients take it; never logged",
  }),
  SCHEMA_REGISTRY_BEARER_TOKEN: str({
    default: "",
    desc: "bearer token instead of basic credentials, never logged",
  }),
  SCHEMA_REGISTRY_CA_FILE: certificateFile({
    default: "",
    desc: "PEM file of the CA(s) an https registry's certificate chains to (empty: the system's CAs)",
  }),
};

export type SchemaRegistrySettings = CleanedEnv<typeof schemaRegistrySettingSpecs>;

/** Rules between the registry variables that are well-formed: a problem by variable name. */
export function schemaRegistrySettingProblems(
  settings: Partial<SchemaRegistrySettings>,
): Record<string, string> {
  const problems: Record<string, string> = {};
  const {
    SCHEMA_REGISTRY_USERNAME: username,
    SCHEMA_REGISTRY_PASSWORD: password,
    SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: userInfo,
    SCHEMA_REGISTRY_BEARER_TOKEN: token,
  } = settings;
  if (userInfo && (username || password))
    problems.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO =
      "set together with SCHEMA_REGISTRY_USERNAME or SCHEMA_REGISTRY_PASSWORD: give the credentials one way";
  else if (userInfo && !/^[^:]+:.+$/s.test(userInfo))
    problems.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO = "malformed: expected user:password";
  if (username && password === "")
    problems.SCHEMA_REGISTRY_PASSWORD =
      "missing (required with SCHEMA_REGISTRY_USERNAME; or SCHEMA_REGISTRY_PASSWORD_FILE)";
  if (password && username === "")
    problems.SCHEMA_REGISTRY_USERNAME = "missing (required with SCHEMA_REGISTRY_PASSWORD)";
  if (token && (userInfo || username || password))
    problems.SCHEMA_REGISTRY_BEARER_TOKEN = "set together with basic credentials: give one or the other";
  const url = settings.SCHEMA_REGISTRY_URL;
  if (settings.SCHEMA_REGISTRY_CA_FILE && url?.startsWith("http:"))
    problems.SCHEMA_REGISTRY_CA_FILE =
      "set, but SCHEMA_REGISTRY_URL is http://: a CA is for an https:// registry";
  return problems;
}

/** The basic credentials of the settings, from whichever variables hold them. */
function basicCredentials(
  settings: SchemaRegistrySettings,
): { username: string; password: string } | undefined {
  const userInfo = settings.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO;
  if (userInfo) {
    const colon = userInfo.indexOf(":");
    return { username: userInfo.slice(0, colon), password: userInfo.slice(colon + 1) };
  }
  const { SCHEMA_REGISTRY_USERNAME: username, SCHEMA_REGISTRY_PASSWORD: password } = settings;
  return username ? { username, password } : undefined;
}

/** The connection every registry request goes through, with the CA file read (once, at start-up). */
export function schemaRegistryConnectionOf(settings: SchemaRegistrySettings): SchemaRegistryConnection {
  const basic = basicCredentials(settings);
  const token = settings.SCHEMA_REGISTRY_BEARER_TOKEN;
  const caFile = settings.SCHEMA_REGISTRY_CA_FILE;
  return {
    url: settings.SCHEMA_REGISTRY_URL,
    ...(token
      ? { authorization: `Bearer ${token}`, credentials: "the bearer token" }
      : basic
        ? {
            authorization: `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}`,
            credentials: `the basic credentials of user ${basic.username}`,
          }
        : { credentials: "a request without credentials" }),
    ...(caFile && { ca: readFileSync(caFile, "utf8") }),
  };
}

/** The connection as a log line may show it: no password, no token. */
export function describeSchemaRegistryConnection(settings: SchemaRegistrySettings) {
  const basic = basicCredentials(settings);
  return {
    url: settings.SCHEMA_REGISTRY_URL,
    auth: settings.SCHEMA_REGISTRY_BEARER_TOKEN ? "bearer" : basic ? `basic as ${basic.username}` : false,
    ca:
      settings.SCHEMA_REGISTRY_CA_FILE ||
      (settings.SCHEMA_REGISTRY_URL.startsWith("https:") ? "system CAs" : false),
  };
}
