import { randomBytes } from "node:crypto";
import { readSettings, SettingsError } from "./settings";
import {
  configEncryptionSettingSpecs,
  developmentModeSettingSpecs,
  developmentSecretProblems,
  encryptionKeyProblems,
  keyringOf,
  whatsappAccountSettingSpecs,
} from "./whatsapp-settings";

const specs = {
  ...configEncryptionSettingSpecs,
  ...developmentModeSettingSpecs,
  ...whatsappAccountSettingSpecs,
};
const read = (env: NodeJS.ProcessEnv) => readSettings(specs, env);

/** The SettingsError `env` is refused with (fails the test when it is accepted). */
function refusal(env: NodeJS.ProcessEnv): SettingsError {
  try {
    read(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("accepted settings that should have been refused");
}

it("reads the setup guide's account variables, with Graph API v23.0 by default", () => {
  expect(read({})).toMatchObject({
    WHATSAPP_WABA_ID: "",
    WHATSAPP_PHONE_NUMBER_ID: "",
    WHATSAPP_ACCESS_TOKEN: "",
    WHATSAPP_API_VERSION: "v23.0",
    WHATSAPP_DEV_MODE: false,
  });
  expect(
    read({
      WHATSAPP_WABA_ID: "102290120000001",
      WHATSAPP_PHONE_NUMBER_ID: "106540350000001",
      WHATSAPP_ACCESS_TOKEN: "EAAG-token",
      WHATSAPP_API_VERSION: "v24.0",
    }),
  ).toMatchObject({
    WHATSAPP_WABA_ID: "102290120000001",
    WHATSAPP_PHONE_NUMBER_ID: "106540350000001",
    WHATSAPP_ACCESS_TOKEN: "EAAG-token",
    WHATSAPP_API_VERSION: "v24.0",
  });
  expect(refusal({ WHATSAPP_API_VERSION: "23" }).problems.WHATSAPP_API_VERSION).toBe(
    'malformed: "23" is not a Graph API version like v23.0',
  );
});

describe("CONFIG_ENCRYPTION_KEY", () => {
  const key = randomBytes(32).toString("base64");

  it("is a keyring when set, nothing when unset or empty", () => {
    const settings = read({ CONFIG_ENCRYPTION_KEY: key });
    expect(keyringOf(settings)?.current.bytes).toEqual(Buffer.from(key, "base64"));
    expect(keyringOf(settings)?.previous).toBeUndefined();
    expect(keyringOf(read({}))).toBeUndefined();
    expect(
      keyringOf(read({ CONFIG_ENCRYPTION_KEY: "", CONFIG_ENCRYPTION_KEY_PREVIOUS: "" })),
    ).toBeUndefined();
  });

  it("takes a previous key beside it, and names CONFIG_ENCRYPTION_KEY when only the previous one is set", () => {
    const previous = randomBytes(32).toString("base64");
    const settings = read({ CONFIG_ENCRYPTION_KEY: key, CONFIG_ENCRYPTION_KEY_PREVIOUS: previous });
    expect(keyringOf(settings)?.previous?.bytes).toEqual(Buffer.from(previous, "base64"));
    expect(encryptionKeyProblems(settings)).toEqual({});
    expect(encryptionKeyProblems(read({ CONFIG_ENCRYPTION_KEY_PREVIOUS: previous }))).toEqual({
      CONFIG_ENCRYPTION_KEY: "missing (required when CONFIG_ENCRYPTION_KEY_PREVIOUS is set)",
    });
  });

  it("refuses a malformed key, naming the variable and never the value", () => {
    const hex = randomBytes(32).toString("hex");
    const error = refusal({ CONFIG_ENCRYPTION_KEY: key, CONFIG_ENCRYPTION_KEY_PREVIOUS: hex });
    expect(Object.keys(error.problems)).toEqual(["CONFIG_ENCRYPTION_KEY_PREVIOUS"]);
    expect(error.problems.CONFIG_ENCRYPTION_KEY_PREVIOUS).toMatch(/^malformed: expected 32 bytes in base64/);
    expect(error.message).not.toContain(hex);
    expect(refusal({ CONFIG_ENCRYPTION_KEY: "dev-key" }).problems.CONFIG_ENCRYPTION_KEY).toMatch(
      /^malformed/,
    );
  });
});

describe("development secrets", () => {
  const environment = {
    WHATSAPP_APP_SECRET: ["real", "dev-app-secret"],
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "dev-verify-token",
  };

  it("are refused outside development mode, naming each variable", () => {
    expect(developmentSecretProblems(false, environment)).toEqual({
      WHATSAPP_APP_SECRET:
        'holds the development value "dev-app-secret", accepted only with WHATSAPP_DEV_MODE=1',
      WHATSAPP_WEBHOOK_VERIFY_TOKEN:
        'holds the development value "dev-verify-token", accepted only with WHATSAPP_DEV_MODE=1',
    });
    expect(
      developmentSecretProblems(false, { WHATSAPP_APP_SECRET: ["real"], WHATSAPP_WEBHOOK_VERIFY_TOKEN: [] }),
    ).toEqual({});
  });

  it("are accepted with WHATSAPP_DEV_MODE=1", () => {
    const { WHATSAPP_DEV_MODE } = read({ WHATSAPP_DEV_MODE: "1" });
    expect(developmentSecretProblems(WHATSAPP_DEV_MODE, environment)).toEqual({});
  });

  it("WHATSAPP_DEV_MODE is on for 1 or true, off when empty, 0 or false, and refused otherwise", () => {
    for (const on of ["1", "true", "TRUE"])
      expect(read({ WHATSAPP_DEV_MODE: on }).WHATSAPP_DEV_MODE).toBe(true);
    for (const off of ["", "0", "false"])
      expect(read({ WHATSAPP_DEV_MODE: off }).WHATSAPP_DEV_MODE).toBe(false);
    expect(refusal({ WHATSAPP_DEV_MODE: "yes" }).problems.WHATSAPP_DEV_MODE).toBe(
      'malformed: "yes" is neither 1 nor 0',
    );
  });
});
