import { url } from "envalid";
import { readSettings, stackSettingSpecs } from "../runtime/settings";
import {
  configEncryptionSettingSpecs,
  encryptionKeyProblems,
  whatsappAccountSettingSpecs,
} from "../runtime/whatsapp-settings";

const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI, MONGODB_DB, TOPIC_PREFIX } = stackSettingSpecs;

/** Settings of `npm run templates:sync`. */
export const templateSyncSettingSpecs = {
  KAFKA_BROKERS,
  SCHEMA_REGISTRY_URL,
  MONGODB_URI,
  MONGODB_DB,
  TOPIC_PREFIX,
  ...configEncryptionSettingSpecs,
  ...whatsappAccountSettingSpecs,
  GRAPH_API_BASE_URL: url({ default: "https://graph.facebook.com", desc: "Graph API host the sync reads" }),
};

export const readTemplateSyncSettings = (env: NodeJS.ProcessEnv = process.env) =>
  readSettings(templateSyncSettingSpecs, env, encryptionKeyProblems);
export type TemplateSyncSettings = ReturnType<typeof readTemplateSyncSettings>;
