import type { StoredSecret } from "./config-secrets";

/**
 * One WhatsApp Cloud API app and number, as the setup guide configures it (collection whatsapp_configs).
 * Its secrets are sealed (./config-secrets.ts), or plain strings in a legacy document.
 */
export interface WhatsAppConfig {
  /** The business phone number id: one document per number. */
  _id: string;
  wabaId: string;
  phoneNumberId: string;
  accessToken: StoredSecret;
  verifyToken: StoredSecret;
  appSecret: StoredSecret;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What the webhook endpoint checks requests against. */
export interface WebhookCredentials {
  appSecrets: string[];
  verifyTokens: string[];
  source: "mongodb" | "environment";
}

/**
 * Active whatsapp_configs documents take priority over the environment: when any exists, their
 * secrets and tokens (all of them: several numbers and apps at once) are the valid ones.
 */
export function resolveCredentials(
  configs: readonly { appSecret: string; verifyToken: string; active: boolean }[],
  environment: { appSecrets: readonly string[]; verifyTokens: readonly string[] },
): WebhookCredentials {
  const active = configs.filter((config) => config.active);
  if (active.length > 0) {
    const unique = (values: string[]) => [...new Set(values.filter(Boolean))];
    return {
      appSecrets: unique(active.map((config) => config.appSecret)),
      verifyTokens: unique(active.map((config) => config.verifyToken)),
      source: "mongodb",
    };
  }
  return {
    appSecrets: [...environment.appSecrets],
    verifyTokens: [...environment.verifyTokens],
    source: "environment",
  };
}

/** A secret shown in a listing: enough to tell two apart, never enough to use. */
export function maskSecret(secret: string): string {
  return secret.length <= 8 ? "****" : `${secret.slice(0, 2)}****${secret.slice(-2)}`;
}
