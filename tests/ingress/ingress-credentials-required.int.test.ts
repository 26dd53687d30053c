import { MongoClient } from "mongodb";
import { whatsappConfigs } from "../../ingress/configuration/config-cache";
import { startIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { createLogger } from "../../runtime/logger";
import { SettingsError } from "../../runtime/settings";
import { PHONE_NUMBER_ID, WABA_ID } from "../fixtures/meta-webhooks";

// docs/operations.md (#ingress-whatsapp-ingress): WHATSAPP_APP_SECRET and WHATSAPP_WEBHOOK_VERIFY_TOKEN
// may be left empty only when an active whatsapp_configs document supplies them; otherwise start-up
// fails naming them. Against the real MongoDB-wire server, a database of this file's own.
const database = `${process.env.MONGODB_DB}_credentials_required`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const configs = whatsappConfigs(mongo.db(database));

afterAll(() => mongo.close());

const settingsWithoutSecrets = () =>
  readIngressSettings({
    ...process.env,
    MONGODB_DB: database,
    TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}credentials-required.`,
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: "",
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "",
    LOG_LEVEL: "silent",
  });

const configDocument = (active: boolean) => ({
  _id: PHONE_NUMBER_ID,
  wabaId: WABA_ID,
  phoneNumberId: PHONE_NUMBER_ID,
  accessToken: "EAAG-test-token",
  verifyToken: "document-verify-token",
  appSecret: "document-app-secret",
  active,
  createdAt: new Date(),
  updatedAt: new Date(),
});

it("refuses to start without them while no active document supplies them, naming both", async () => {
  await configs.replaceOne({ _id: PHONE_NUMBER_ID }, configDocument(false), { upsert: true });
  const started = startIngress(settingsWithoutSecrets(), createLogger("test", "silent"));
  await expect(started).rejects.toBeInstanceOf(SettingsError);
  const { problems } = (await started.catch((error: unknown) => error)) as SettingsError;
  expect(Object.keys(problems).sort()).toEqual(["WHATSAPP_APP_SECRET", "WHATSAPP_WEBHOOK_VERIFY_TOKEN"]);
});

it("starts without them once an active document supplies them, and answers the document's verify token", async () => {
  await configs.replaceOne({ _id: PHONE_NUMBER_ID }, configDocument(true), { upsert: true });
  const ingress = await startIngress(settingsWithoutSecrets(), createLogger("test", "silent"));
  try {
    const handshake = await fetch(
      `http://127.0.0.1:${ingress.port}/api/integrations/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=document-verify-token&hub.challenge=7`,
    );
    expect([handshake.status, await handshake.text()]).toEqual([200, "7"]);
  } finally {
    await ingress.stop();
  }
});
