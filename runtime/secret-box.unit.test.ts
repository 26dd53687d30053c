import { randomBytes } from "node:crypto";
import {
  isSealedSecret,
  openSecret,
  parseEncryptionKey,
  sealSecret,
  SecretBoxError,
  type SealedSecret,
} from "./secret-box";

const context = "whatsapp_configs:106540350000001:appSecret";
const freshKey = () => parseEncryptionKey(randomBytes(32).toString("base64"));

/** The SecretBoxError `run` throws (fails the test when it throws nothing or something else). */
function failure(run: () => unknown): SecretBoxError {
  try {
    run();
  } catch (error) {
    if (error instanceof SecretBoxError) return error;
    throw error;
  }
  throw new Error("expected a SecretBoxError");
}

describe("a value sealed by another tool (Python's cryptography, AESGCM)", () => {
  // key = bytes(range(32)); nonce = bytes.fromhex("000102030405060708090a0b");
  // AESGCM(key).encrypt(nonce, "known-answer app secret é".encode(), context.encode()): ciphertext, then tag.
  const key = parseEncryptionKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  const sealed: SealedSecret = {
    algorithm: "AES-256-GCM",
    keyId: "630dcd2966c43366",
    nonce: "AAECAwQFBgcICQoL",
    ciphertext: "LGy5bKvIo3X+NvL5kYgIHaOl4leCHitc+84=",
    tag: "ACoiyx9OOK8n+75LtCDKyg==",
  };

  it("opens to its plaintext, and the key id is the first 16 hex digits of the key's SHA-256", () => {
    expect(key.id).toBe("630dcd2966c43366");
    expect(openSecret(sealed, { current: key }, context)).toBe("known-answer app secret é");
  });

  it("does not open with one byte changed, in the ciphertext, the tag or the nonce", () => {
    const flipFirstByte = (base64: string) => {
      const bytes = Buffer.from(base64, "base64");
      bytes[0] = bytes[0]! ^ 0x01;
      return bytes.toString("base64");
    };
    for (const field of ["ciphertext", "tag", "nonce"] as const) {
      const tampered = { ...sealed, [field]: flipFirstByte(sealed[field]) };
      expect(failure(() => openSecret(tampered, { current: key }, context)).problem).toBe("not_authentic");
    }
  });

  it("does not open for another document or field (the context is authenticated)", () => {
    for (const other of [
      "whatsapp_configs:106540350000002:appSecret",
      "whatsapp_configs:106540350000001:accessToken",
    ])
      expect(failure(() => openSecret(sealed, { current: key }, other)).problem).toBe("not_authentic");
  });
});

it("opens what it sealed, with a new nonce each time", () => {
  const key = freshKey();
  const first = sealSecret("EAAG-access-token", key, context);
  const second = sealSecret("EAAG-access-token", key, context);
  expect(first.nonce).not.toBe(second.nonce);
  expect(first.ciphertext).not.toContain("EAAG");
  expect(openSecret(first, { current: key }, context)).toBe("EAAG-access-token");
  expect(openSecret(second, { current: key }, context)).toBe("EAAG-access-token");
});

it("opens with the previous key during a rotation, and names both ids for a key it does not hold", () => {
  const previous = freshKey();
  const current = freshKey();
  const sealedBefore = sealSecret("app-secret", previous, context);
  expect(openSecret(sealedBefore, { current, previous }, context)).toBe("app-secret");

  const unknown = failure(() => openSecret(sealedBefore, { current }, context));
  expect(unknown.problem).toBe("unknown_key");
  expect(unknown.message).toBe(
    `sealed under key ${previous.id}, which is neither the current key (${current.id}) nor a previous one`,
  );
});

it("refuses a sealed value whose key id matches but whose key does not (a forged id)", () => {
  const key = freshKey();
  const other = freshKey();
  const sealed = { ...sealSecret("app-secret", other, context), keyId: key.id };
  expect(failure(() => openSecret(sealed, { current: key }, context)).problem).toBe("not_authentic");
});

describe("parseEncryptionKey", () => {
  it("takes what `openssl rand -base64 32` prints, with its newline", () => {
    expect(parseEncryptionKey(`${randomBytes(32).toString("base64")}\n`).bytes).toHaveLength(32);
  });

  it("refuses anything else, without repeating the value", () => {
    for (const value of [
      "",
      "dev-key",
      randomBytes(16).toString("base64"),
      randomBytes(33).toString("base64"),
      randomBytes(32).toString("hex"),
      randomBytes(32).toString("base64url").replace(/.$/, "-"),
    ]) {
      const error = failure(() => parseEncryptionKey(value));
      expect(error.problem).toBe("malformed");
      if (value) expect(error.message).not.toContain(value);
    }
  });
});

it("tells a sealed value from a legacy plain string", () => {
  expect(isSealedSecret(sealSecret("x", freshKey(), context))).toBe(true);
  expect(isSealedSecret("plain-app-secret")).toBe(false);
  expect(isSealedSecret({ algorithm: "AES-256-GCM" })).toBe(false);
  expect(isSealedSecret(null)).toBe(false);
});
