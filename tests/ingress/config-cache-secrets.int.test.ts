import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { ConfigCache, whatsappConfigs } from "../../ingress/configuration/config-cache";
import { sealConfigSecrets } from "../../ingress/configuration/config-secrets";
import type { WhatsAppConfig } from "../../ingress/configuration/webhook-credentials";
import { startIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { parseEncryptionKey } from "../../runtime/secret-box";
import { statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { recordingLogger } from "../support/http-harness";
import { postWebhook } from "../support/webhook-client";

// docs/operations.md (#secrets-at-rest): the ingress's config cache opens sealed whatsapp_configs
// documents with CONFIG_ENCRYPTION_KEY (or the previous key during a rotation), reads a legacy plaintext
// document with one warning, skips one that does not open with one error, and never logs a secret.
// Outside WHATSAPP_DEV_MODE it skips a document holding a development secret, with one error.
// Against the real MongoDB-wire server, a database of this file's own.
const database = `${process.env.MONGODB_DB}_config_cache_secrets`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const configs = whatsappConfigs(mongo.db(database));
const previous = parseEncryptionKey(randomBytes(32).toString("base64"));
const current = parseEncryptionKey(randomBytes(32).toString("base64"));
const stranger = parseEncryptionKey(randomBytes(32).toString("base64"));
const noEnvironment = { appSecrets: [], verifyTokens: [] };

afterAll(() => mongo.close());
beforeEach(() => configs.deleteMany({}));

const secretsOf = (name: string) => ({
  accessToken: `${name}-access-token`,
  verifyToken: `${name}-verify-token`,
  appSecret: `${name}-app-secret`,
});

function documentOf(id: string, stored: Pick<WhatsAppConfig, "accessToken" | "verifyToken" | "appSecret">) {
  const now = new Date();
  return {
    _id: id,
    wabaId: "102290120000001",
    phoneNumberId: id,
    active: true,
    createdAt: now,
    updatedAt: now,
    ...stored,
  };
}

const sealed = (id: string, name: string, key = current) =>
  documentOf(id, sealConfigSecrets(id, secretsOf(name), key));

it("opens documents sealed under the current and the previous key, and logs none of their secrets", async () => {
  await configs.insertMany([sealed("1", "current"), sealed("2", "previous", previous)]);
  const { logger, lines } = recordingLogger();
  const cache = new ConfigCache(configs, noEnvironment, 60_000, logger, { current, previous });
  await cache.refresh();
  expect(cache.current()).toEqual({
    appSecrets: ["current-app-secret", "previous-app-secret"],
    verifyTokens: ["current-verify-token", "previous-verify-token"],
    source: "mongodb",
  });
  expect(cache.unreadableDocuments()).toEqual([]);
  expect(JSON.stringify(lines)).not.toMatch(/-app-secret|-verify-token|-access-token/);
});

it("reads a legacy plaintext document, warning once for it however often it is read", async () => {
  await configs.insertOne(documentOf("3", secretsOf("legacy")));
  const { logger, lines } = recordingLogger();
  const cache = new ConfigCache(configs, noEnvironment, 60_000, logger, { current });
  await cache.refresh();
  await cache.refresh();
  expect(cache.current().appSecrets).toEqual(["legacy-app-secret"]);
  const warnings = lines.filter((line) => line.msg.includes("holds plaintext secrets"));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ level: 40, phoneNumberId: "3", fields: ["appSecret", "verifyToken"] });
  expect(JSON.stringify(lines)).not.toContain("legacy-app-secret");
});

it("skips a document it cannot open, with one error naming it and the key variables, and keeps the others", async () => {
  await configs.insertMany([sealed("4", "readable"), sealed("5", "stranger", stranger)]);
  const { logger, lines } = recordingLogger();
  const cache = new ConfigCache(configs, noEnvironment, 60_000, logger, { current });
  await cache.refresh();
  await cache.refresh();
  expect(cache.current().appSecrets).toEqual(["readable-app-secret"]);
  expect(cache.unreadableDocuments().map((error) => [error.phoneNumberId, error.problem])).toEqual([
    ["5", "unknown_key"],
  ]);
  const errors = lines.filter((line) => line.level === 50);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ phoneNumberId: "5", field: "appSecret", problem: "unknown_key" });
  expect(errors[0]!.msg).toContain(`sealed under key ${stranger.id}`);
  expect(errors[0]!.msg).toContain("CONFIG_ENCRYPTION_KEY");
  expect(JSON.stringify(lines)).not.toContain("stranger-app-secret");
});

it("skips sealed documents when it has no key, saying CONFIG_ENCRYPTION_KEY is not set", async () => {
  await configs.insertOne(sealed("6", "keyless"));
  const { logger } = recordingLogger();
  const cache = new ConfigCache(configs, { appSecrets: ["env"], verifyTokens: ["env"] }, 60_000, logger);
  await cache.refresh();
  expect(cache.current().source).toBe("environment");
  expect(cache.unreadableDocuments().map((error) => error.message)).toEqual([
    `whatsapp_configs document 6, appSecret: sealed under key ${current.id}, and CONFIG_ENCRYPTION_KEY is not set`,
  ]);
});

it("says once that every POST is refused while no app secret is configured", async () => {
  await configs.insertOne(sealed("7", "only"));
  const { logger, lines } = recordingLogger();
  const cache = new ConfigCache(configs, noEnvironment, 60_000, logger, { current });
  await cache.refresh();
  const refusedEveryPost = () => lines.filter((line) => line.msg.includes("every POST is refused with 401"));
  expect(refusedEveryPost()).toHaveLength(0);
  await configs.updateOne({ _id: "7" }, { $set: { active: false } });
  await cache.refresh();
  await cache.refresh();
  expect(cache.current().appSecrets).toEqual([]);
  expect(refusedEveryPost()).toHaveLength(1);
  expect(refusedEveryPost()[0]!.level).toBe(50);
});

describe("a document holding the development secrets of make up", () => {
  const development = {
    accessToken: "EAAG-dev-access",
    verifyToken: "dev-verify-token",
    appSecret: "dev-app-secret",
  };
  const ingressWith = (developmentMode: string, logger: ReturnType<typeof recordingLogger>["logger"]) =>
    startIngress(
      readIngressSettings({
        ...process.env,
        MONGODB_DB: database,
        TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}config-cache-secrets.`,
        PORT: "0",
        OPS_PORT: "0",
        WHATSAPP_APP_SECRET: "env-app-secret",
        WHATSAPP_WEBHOOK_VERIFY_TOKEN: "env-verify-token",
        WHATSAPP_DEV_MODE: developmentMode,
        CONFIG_ENCRYPTION_KEY: current.bytes.toString("base64"),
      }),
      logger,
    );
  const statusOfDelivery = (port: number, appSecret: string) =>
    postWebhook(`http://127.0.0.1:${port}`, statusDelivery([statusObject(wamid(), "sent", 1750263900)]), {
      appSecret,
    }).then((answer) => answer.status);

  it("outside WHATSAPP_DEV_MODE: skipped, a delivery signed with dev-app-secret gets 401, one error names it", async () => {
    await configs.insertOne(documentOf("8", sealConfigSecrets("8", development, current)));
    const { logger, lines } = recordingLogger();
    const ingress = await ingressWith("0", logger);
    try {
      expect(await statusOfDelivery(ingress.port, "dev-app-secret")).toBe(401);
      expect(await statusOfDelivery(ingress.port, "env-app-secret")).toBe(200);
    } finally {
      await ingress.stop();
    }
    const skipped = lines.filter((line) => line.msg.includes("holds a development secret"));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ level: 50, phoneNumberId: "8", fields: ["appSecret", "verifyToken"] });
    expect(JSON.stringify(lines)).not.toMatch(/dev-app-secret|dev-verify-token/);
  });

  it("with WHATSAPP_DEV_MODE=1: used, a delivery signed with dev-app-secret gets 200", async () => {
    await configs.insertOne(documentOf("8", sealConfigSecrets("8", development, current)));
    const { logger } = recordingLogger();
    const ingress = await ingressWith("1", logger);
    try {
      expect(await statusOfDelivery(ingress.port, "dev-app-secret")).toBe(200);
      expect(await statusOfDelivery(ingress.port, "env-app-secret")).toBe(401);
    } finally {
      await ingress.stop();
    }
  });
});
