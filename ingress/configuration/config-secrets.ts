import {
  isSealedSecret,
  openSecret,
  sealSecret,
  SecretBoxError,
  type EncryptionKey,
  type Keyring,
  type SealedSecret,
  type SecretBoxProblem,
} from "../../runtime/secret-box";

/**
 * The secrets of a whatsapp_configs document, sealed at rest (runtime/secret-box.ts) and opened by its
 * readers. A legacy document holds them as plain strings: it is read as it is, and re-sealed by
 * `npm run config -- rotate-key`.
 */

export const configSecretFields = ["accessToken", "verifyToken", "appSecret"] as const;
export type ConfigSecretField = (typeof configSecretFields)[number];

/** A secret as a document holds it: sealed, or a plain string in a legacy document. */
export type StoredSecret = SealedSecret | string;

/** What the secret is bound to: its document and field. */
export const secretContext = (phoneNumberId: string, field: ConfigSecretField) =>
  `whatsapp_configs:${phoneNumberId}:${field}`;

/** A document's secret that does not open; the message names the document, the field and the key, never the secret. */
export class ConfigSecretError extends Error {
  constructor(
    readonly phoneNumberId: string,
    readonly field: ConfigSecretField,
    readonly problem: SecretBoxProblem | "no_key",
    detail: string,
  ) {
    super(`whatsapp_configs document ${phoneNumberId}, ${field}: ${detail}`);
    this.name = "ConfigSecretError";
  }
}

export interface OpenedSecrets<F extends ConfigSecretField> {
  secrets: Record<F, string>;
  /** The fields found as plain strings (a legacy document). */
  plaintext: F[];
}

/** Opens `fields` of `document`; throws ConfigSecretError for the first that does not open. */
export function openConfigSecrets<F extends ConfigSecretField>(
  document: { _id: string } & Partial<Record<F, StoredSecret>>,
  fields: readonly F[],
  keyring: Keyring | undefined,
): OpenedSecrets<F> {
  const secrets = {} as Record<F, string>;
  const plaintext: F[] = [];
  for (const field of fields) {
    const stored = document[field];
    if (typeof stored === "string") {
      secrets[field] = stored;
      plaintext.push(field);
    } else if (isSealedSecret(stored)) {
      if (!keyring)
        throw new ConfigSecretError(
          document._id,
          field,
          "no_key",
          `sealed under key ${stored.keyId}, and CONFIG_ENCRYPTION_KEY is not set`,
        );
      try {
        secrets[field] = openSecret(stored, keyring, secretContext(document._id, field));
      } catch (error) {
        if (!(error instanceof SecretBoxError)) throw error;
        throw new ConfigSecretError(document._id, field, error.problem, error.message);
      }
    } else {
      throw new ConfigSecretError(document._id, field, "malformed", "neither a sealed secret nor a string");
    }
  }
  return { secrets, plaintext };
}

/** Seals each of `secrets` under `key`, bound to the document `phoneNumberId`. */
export function sealConfigSecrets<F extends ConfigSecretField>(
  phoneNumberId: string,
  secrets: Record<F, string>,
  key: EncryptionKey,
): Record<F, SealedSecret> {
  const sealed = {} as Record<F, SealedSecret>;
  for (const field of Object.keys(secrets) as F[])
    sealed[field] = sealSecret(secrets[field], key, secretContext(phoneNumberId, field));
  return sealed;
}

/**
 * The secrets of `document` sealed again under the current key, or null when every one already is.
 * Each is opened first, so a changed one throws ConfigSecretError even under the current key.
 */
export function resealConfigSecrets(
  document: { _id: string } & Partial<Record<ConfigSecretField, StoredSecret>>,
  keyring: Keyring,
): Partial<Record<ConfigSecretField, SealedSecret>> | null {
  const present = configSecretFields.filter((field) => document[field] !== undefined);
  const { secrets } = openConfigSecrets(document, present, keyring);
  const current = present.every((field) => {
    const stored = document[field];
    return isSealedSecret(stored) && stored.keyId === keyring.current.id;
  });
  return current ? null : sealConfigSecrets(document._id, secrets, keyring.current);
}
