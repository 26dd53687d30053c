import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit nonce and a 128-bit tag. The context (for example
 * `whatsapp_configs:<id>:appSecret`) is authenticated as associated data, so a sealed value copied to
 * another document or field does not open. Pure: no I/O, no settings; callers pass the keys.
 */

/** A key of 32 bytes and its id: the first 16 hex digits of its SHA-256 (tells keys apart, reveals nothing). */
export interface EncryptionKey {
  readonly id: string;
  readonly bytes: Buffer;
}

/** The keys a reader may open with: the current one seals, the previous one still opens during a rotation. */
export interface Keyring {
  readonly current: EncryptionKey;
  readonly previous?: EncryptionKey;
}

/** A sealed secret as stored in a document: every binary field base64. */
export interface SealedSecret {
  algorithm: "AES-256-GCM";
  keyId: string;
  nonce: string;
  ciphertext: string;
  tag: string;
}

export type SecretBoxProblem = "unknown_key" | "not_authentic" | "malformed";

/** Why a sealed secret did not open. Its message names keys by id and never holds a secret. */
export class SecretBoxError extends Error {
  constructor(
    readonly problem: SecretBoxProblem,
    message: string,
  ) {
    super(message);
    this.name = "SecretBoxError";
  }
}

const nonceBytes = 12;
const tagBytes = 16;
const base64Key = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Reads a key as `openssl rand -base64 32` prints it. The error says what is wrong, never the value.
 */
export function parseEncryptionKey(base64: string): EncryptionKey {
  const trimmed = base64.trim();
  if (!base64Key.test(trimmed))
    throw new SecretBoxError(
      "malformed",
      `expected 32 bytes in base64 (44 characters, as \`openssl rand -base64 32\` prints them), got ${trimmed.length} characters`,
    );
  const bytes = Buffer.from(trimmed, "base64");
  return { id: keyIdOf(bytes), bytes };
}

function keyIdOf(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

/** Seals `plaintext` under `key`, bound to `context`. */
export function sealSecret(plaintext: string, key: EncryptionKey, context: string): SealedSecret {
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, nonce, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    algorithm: "AES-256-GCM",
    keyId: key.id,
    nonce: nonce.toString("base64"),
    ciphertext: ciphertext.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

/** Opens a sealed secret with whichever key of `keyring` sealed it; throws SecretBoxError otherwise. */
export function openSecret(sealed: SealedSecret, keyring: Keyring, context: string): string {
  const key = [keyring.current, keyring.previous].find((candidate) => candidate?.id === sealed.keyId);
  if (!key)
    throw new SecretBoxError(
      "unknown_key",
      `sealed under key ${sealed.keyId}, which is neither the current key (${keyring.current.id})` +
        (keyring.previous ? ` nor the previous one (${keyring.previous.id})` : " nor a previous one"),
    );
  const nonce = Buffer.from(sealed.nonce, "base64");
  const tag = Buffer.from(sealed.tag, "base64");
  if (sealed.algorithm !== "AES-256-GCM" || nonce.length !== nonceBytes || tag.length !== tagBytes)
    throw new SecretBoxError("malformed", "not an AES-256-GCM value with a 12-byte nonce and a 16-byte tag");
  const decipher = createDecipheriv("aes-256-gcm", key.bytes, nonce, { authTagLength: tagBytes });
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, "base64")),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw new SecretBoxError(
      "not_authentic",
      `does not authenticate under key ${key.id}: changed, or sealed for another document or field`,
    );
  }
}

/** True for a value this module sealed (a legacy document holds a plain string instead). */
export function isSealedSecret(value: unknown): value is SealedSecret {
  if (typeof value !== "object" || value === null) return false;
  const fields = value as Record<string, unknown>;
  return ["algorithm", "keyId", "nonce", "ciphertext", "tag"].every(
    (name) => typeof fields[name] === "string",
  );
}
