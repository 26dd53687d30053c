import { randomBytes } from "node:crypto";
import { parseEncryptionKey, type SealedSecret } from "../../runtime/secret-box";
import {
  ConfigSecretError,
  openConfigSecrets,
  resealConfigSecrets,
  sealConfigSecrets,
  type StoredSecret,
} from "./config-secrets";

const freshKey = () => parseEncryptionKey(randomBytes(32).toString("base64"));
const secrets = { accessToken: "EAAG-token", verifyToken: "verify-token", appSecret: "app-secret" };
const fields = ["accessToken", "verifyToken", "appSecret"] as const;

/** The ConfigSecretError `run` throws (fails the test when it throws nothing or something else). */
function failure(run: () => unknown): ConfigSecretError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigSecretError) return error;
    throw error;
  }
  throw new Error("expected a ConfigSecretError");
}

it("opens the secrets it sealed for a document, and none of them is stored readable", () => {
  const key = freshKey();
  const document = { _id: "106540350000001", ...sealConfigSecrets("106540350000001", secrets, key) };
  expect(JSON.stringify(document)).not.toMatch(/EAAG-token|verify-token|app-secret/);
  expect(openConfigSecrets(document, fields, { current: key })).toEqual({ secrets, plaintext: [] });
});

it("reads a legacy document's plain strings as they are, and says which they were", () => {
  const document = { _id: "1", ...secrets };
  expect(openConfigSecrets(document, ["appSecret", "verifyToken"], undefined)).toEqual({
    secrets: { appSecret: "app-secret", verifyToken: "verify-token" },
    plaintext: ["appSecret", "verifyToken"],
  });
});

it("names the document, the field and the missing key when a sealed secret meets no key", () => {
  const key = freshKey();
  const document = { _id: "106540350000001", ...sealConfigSecrets("106540350000001", secrets, key) };
  const error = failure(() => openConfigSecrets(document, fields, undefined));
  expect(error.problem).toBe("no_key");
  expect(error.message).toBe(
    `whatsapp_configs document 106540350000001, accessToken: sealed under key ${key.id}, and CONFIG_ENCRYPTION_KEY is not set`,
  );
});

it("does not open a secret copied from another document", () => {
  const key = freshKey();
  const other = sealConfigSecrets("106540350000002", secrets, key);
  const document = {
    _id: "106540350000001",
    ...sealConfigSecrets("106540350000001", secrets, key),
    appSecret: other.appSecret,
  };
  const error = failure(() => openConfigSecrets(document, fields, { current: key }));
  expect([error.field, error.problem]).toEqual(["appSecret", "not_authentic"]);
});

describe("resealConfigSecrets", () => {
  it("seals again under the current key what the previous key or nobody sealed", () => {
    const previous = freshKey();
    const current = freshKey();
    const keyring = { current, previous };
    const underPrevious = { _id: "1", ...sealConfigSecrets("1", secrets, previous) };
    const legacy: { _id: string } & Record<string, StoredSecret> = { _id: "2", ...secrets };
    for (const document of [underPrevious, legacy]) {
      const resealed = resealConfigSecrets(document, keyring)!;
      expect(Object.values(resealed).map((sealed) => (sealed as SealedSecret).keyId)).toEqual([
        current.id,
        current.id,
        current.id,
      ]);
      expect(openConfigSecrets({ _id: document._id, ...resealed }, fields, { current })).toEqual({
        secrets,
        plaintext: [],
      });
    }
  });

  it("leaves a document already under the current key, and refuses one that was changed", () => {
    const current = freshKey();
    const document = { _id: "1", ...sealConfigSecrets("1", secrets, current) };
    expect(resealConfigSecrets(document, { current })).toBeNull();
    const changed = {
      ...document,
      appSecret: { ...document.appSecret, tag: randomBytes(16).toString("base64") },
    };
    expect(failure(() => resealConfigSecrets(changed, { current })).problem).toBe("not_authentic");
  });
});
