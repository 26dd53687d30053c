import { url } from "envalid";
import { kafkaSettingSpecs } from "../runtime/kafka-settings";
import { mongoSettingSpecs } from "../runtime/mongodb-settings";
import { schemaRegistrySettingSpecs } from "../runtime/schema-registry-settings";
import { readSettings, stackSettingSpecs } from "../runtime/settings";
import {
  configEncryptionSettingSpecs,
  encryptionKeyProblems,
  whatsappAccountSettingSpecs,
} from "../runtime/whatsapp-settings";

const { MONGODB_DB, TOPIC_PREFIX } = stackSettingSpecs;

/** Settings of `npm run templates:sync`. */
export const templateSyncSettingSpecs = {
  ...kafkaSettingSpecs,
  ...schemaRegistrySettingSpecs,
  ...mongoSettingSpecs,
  MONGODB_DB,
  TOPIC_PREFIX,
  ...configEncryptionSettingSpecs,
  ...whatsappAccountSettingSpecs,
  GRAPH_API_BASE_URL: url({ default: "https://graph.facebook.com", desc: "Graph API host the sync reads" }),
};

const loopbackHosts = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** Pure: the bearer token goes over https only, or plain http to loopback (the tests' fake Graph API). */
export function graphBaseUrlProblems(baseUrl: string | undefined): Record<string, string> {
  if (baseUrl === undefined || !URL.canParse(baseUrl)) return {};
  const { protocol, hostname } = new URL(baseUrl);
  if (protocol === "https:" || (protocol === "http:" && loopbackHosts.has(hostname))) return {};
  return {
    GRAPH_API_BASE_URL: `must be https:// (plain http:// only to 127.0.0.1, ::1 or localhost): the access token would travel in clear`,
  };
}

export const readTemplateSyncSettings = (env: NodeJS.ProcessEnv = process.env) =>
  readSettings(templateSyncSettingSpecs, env, (settings) => ({
    ...encryptionKeyProblems(settings),
    ...graphBaseUrlProblems(settings.GRAPH_API_BASE_URL),
  }));
export type TemplateSyncSettings = ReturnType<typeof readTemplateSyncSettings>;
