import { MongoClient } from "mongodb";
import { whatsappConfigs } from "../../ingress/configuration/config-cache";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { createLogger } from "../../runtime/logger";
import { PHONE_NUMBER_ID, WABA_ID, statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { postWebhook } from "../support/webhook-client";

// whatsapp_configs in the real MongoDB-wire server takes priority over the environment while an
// active document exists, and is re-read periodically.
const database = `${process.env.MONGODB_DB}_configs`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
let ingress: RunningIngress;
let baseUrl: string;

const until = async (condition: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

beforeAll(async () => {
  const configs = whatsappConfigs(mongo.db(database));
  await configs.insertOne({
    _id: PHONE_NUMBER_ID,
    wabaId: WABA_ID,
    phoneNumberId: PHONE_NUMBER_ID,
    accessToken: "EAAG-test-token",
    verifyToken: "mongo-verify-token",
    appSecret: "mongo-app-secret",
    active: true,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const settings = readIngressSettings({
    ...process.env,
    MONGODB_DB: database,
    TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}configs.`,
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: "env-app-secret",
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "env-verify-token",
    WHATSAPP_CONFIG_REFRESH_MS: "200",
    LOG_LEVEL: "silent",
  });
  ingress = await startIngress(settings, createLogger("test", "silent"));
  baseUrl = `http://127.0.0.1:${ingress.port}`;
});

afterAll(async () => {
  await ingress?.stop();
  await mongo.close();
});

const handshake = (token: string) =>
  fetch(
    `${baseUrl}/api/integrations/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=7`,
  ).then((r) => r.status);
const signedWith = (secret: string) =>
  postWebhook(baseUrl, statusDelivery([statusObject(wamid(), "sent", 1750263900)]), {
    appSecret: secret,
  }).then((r) => r.status);

it("uses the active document's secret and token instead of the environment's", async () => {
  expect(await signedWith("mongo-app-secret")).toBe(200);
  expect(await signedWith("env-app-secret")).toBe(401);
  expect(await handshake("mongo-verify-token")).toBe(200);
  expect(await handshake("env-verify-token")).toBe(403);
});

it("falls back to the environment once no document is active, after a refresh", async () => {
  await whatsappConfigs(mongo.db(database)).updateOne({ _id: PHONE_NUMBER_ID }, { $set: { active: false } });
  await until(async () => (await signedWith("env-app-secret")) === 200);
  expect(await signedWith("mongo-app-secret")).toBe(401);
  expect(await handshake("env-verify-token")).toBe(200);
});
