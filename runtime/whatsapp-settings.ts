import { EnvError, makeValidator, str } from "envalid";
import { parseEncryptionKey, type EncryptionKey, type Keyring } from "./secret-box";
import { onOff } from "./setting-validators";

/**
 * Settings of the WhatsApp app and of its secrets, for every process that reads `whatsapp_configs`
 * (the ingress, the config command-line tool, the template sync) or calls the Graph API.
 */

/**
 * A key as `openssl rand -base64 32` prints it; empty is unset (false: envalid refuses an undefined
 * result). The error never repeats the value.
 */
export const encryptionKey = makeValidator<EncryptionKey | false>((raw) => {
  if (raw.trim() === "") return false;
  try {
    return parseEncryptionKey(raw);
  } catch (error) {
    throw new EnvError((error as Error).message);
  }
});

export const graphApiVersion = makeValidator<string>((raw) => {
  if (!/^v\d+\.\d+$/.test(raw.trim())) throw new EnvError(`"${raw}" is not a Graph API version like v23.0`);
  return raw.trim();
});

export const configEncryptionSettingSpecs = {
  CONFIG_ENCRYPTION_KEY: encryptionKey({
    default: undefined,
    desc: "key that seals the secrets of whatsapp_configs (32 bytes, base64: openssl rand -base64 32)",
  }),
  CONFIG_ENCRYPTION_KEY_PREVIOUS: encryptionKey({
    default: undefined,
    desc: "the key before CONFIG_ENCRYPTION_KEY, still opened during a rotation",
  }),
};

/** The values `make up` writes for a local quick start: public, so accepted only in development mode. */
export const developmentSecrets: readonly string[] = ["dev-app-secret", "dev-verify-token"];

export const developmentModeSettingSpecs = {
  WHATSAPP_DEV_MODE: onOff({
    default: false,
    desc: "accept the development secrets of make up (dev-app-secret, dev-verify-token); never for real traffic",
  }),
};

/** The setup guide's account variables: one account from the environment when whatsapp_configs has none. */
export const whatsappAccountSettingSpecs = {
  WHATSAPP_WABA_ID: str({ default: "", desc: "WhatsApp Business Account id" }),
  WHATSAPP_PHONE_NUMBER_ID: str({ default: "", desc: "business phone number id" }),
  WHATSAPP_ACCESS_TOKEN: str({ default: "", desc: "Graph API access token, never logged" }),
  WHATSAPP_API_VERSION: graphApiVersion({ default: "v23.0", desc: "Graph API version" }),
};

interface EncryptionKeySettings {
  CONFIG_ENCRYPTION_KEY?: EncryptionKey | false;
  CONFIG_ENCRYPTION_KEY_PREVIOUS?: EncryptionKey | false;
}

/** The keys to open with, or undefined when CONFIG_ENCRYPTION_KEY is unset. */
export function keyringOf(settings: EncryptionKeySettings): Keyring | undefined {
  const { CONFIG_ENCRYPTION_KEY: current, CONFIG_ENCRYPTION_KEY_PREVIOUS: previous } = settings;
  return current ? { current, previous: previous || undefined } : undefined;
}

/** A previous key means nothing without a current one. */
export function encryptionKeyProblems(settings: EncryptionKeySettings): Record<string, string> {
  return settings.CONFIG_ENCRYPTION_KEY_PREVIOUS && !settings.CONFIG_ENCRYPTION_KEY
    ? { CONFIG_ENCRYPTION_KEY: "missing (required when CONFIG_ENCRYPTION_KEY_PREVIOUS is set)" }
    : {};
}

/** A development value in any of `secrets` (by variable name) outside development mode, by variable name. */
export function developmentSecretProblems(
  developmentMode: boolean | undefined,
  secrets: Record<string, readonly string[] | string | undefined>,
): Record<string, string> {
  if (developmentMode) return {};
  const problems: Record<string, string> = {};
  for (const [name, value] of Object.entries(secrets)) {
    const values = typeof value === "string" ? [value] : (value ?? []);
    const development = values.find((entry) => developmentSecrets.includes(entry));
    if (development)
      problems[name] = `holds the development value "${development}", accepted only with WHATSAPP_DEV_MODE=1`;
  }
  return problems;
}
