import { positiveInt, readSettings, secretList, SettingsError, stackSettingSpecs } from "./settings";

const specs = {
  ...stackSettingSpecs,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: secretList({ desc: "verify token(s) of the webhook handshake" }),
  WHATSAPP_APP_SECRET: secretList({ desc: "app secret(s) that sign X-Hub-Signature-256" }),
  PUBLISH_TIMEOUT_MS: positiveInt({ default: 5000 }),
};
const required = { WHATSAPP_WEBHOOK_VERIFY_TOKEN: "verify", WHATSAPP_APP_SECRET: "secret" };

describe("readSettings", () => {
  it("fills defaults for the stack", () => {
    const settings = readSettings(specs, { ...required });
    expect(settings.KAFKA_BROKERS).toEqual(["127.0.0.1:9092"]);
    expect(settings.SCHEMA_REGISTRY_URL).toBe("http://127.0.0.1:8081/apis/ccompat/v7");
    expect(settings.MONGODB_URI).toBe("mongodb://127.0.0.1:27017");
    expect(settings.MONGODB_DB).toBe("whatsapp");
    expect(settings.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://127.0.0.1:4318");
  });

  it("splits secrets for rotation", () => {
    const settings = readSettings(specs, { ...required, WHATSAPP_APP_SECRET: "old, new" });
    expect(settings.WHATSAPP_APP_SECRET).toEqual(["old", "new"]);
  });

  it("names every missing and every malformed variable in one error", () => {
    let caught: unknown;
    try {
      readSettings(specs, {
        KAFKA_BROKERS: "no-port-here",
        MONGODB_URI: "http://x",
        PUBLISH_TIMEOUT_MS: "soon",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    const problems = (caught as SettingsError).problems;
    expect(Object.keys(problems).sort()).toEqual([
      "KAFKA_BROKERS",
      "MONGODB_URI",
      "PUBLISH_TIMEOUT_MS",
      "WHATSAPP_APP_SECRET",
      "WHATSAPP_WEBHOOK_VERIFY_TOKEN",
    ]);
    expect(problems.WHATSAPP_APP_SECRET).toBe("missing (required)");
    expect((caught as Error).message).toContain("KAFKA_BROKERS: malformed");
  });

  it("never echoes a secret's value", () => {
    try {
      readSettings(specs, { ...required, PUBLISH_TIMEOUT_MS: "bad" });
    } catch (error) {
      expect((error as Error).message).not.toContain("secret");
      expect((error as Error).message).not.toContain("verify");
    }
    expect.assertions(2);
  });
});
