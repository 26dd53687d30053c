import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { whatsappConfigs } from "../../ingress/configuration/config-cache";
import { sealConfigSecrets } from "../../ingress/configuration/config-secrets";
import { startIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { createLogger } from "../../runtime/logger";
import { parseEncryptionKey } from "../../runtime/secret-box";
import { SettingsError } from "../../runtime/settings";
import { PHONE_NUMBER_ID, statusDelivery, statusObject, WABA_ID, wamid } from "../fixtures/meta-webhooks";
import { recordingLogger } from "../support/http-harness";
import { postWebhook } from "../support/webhook-client";

// docs/operations.md (#ingress-whatsapp-ingress): WHATSAPP_APP_SECRET and WHATSAPP_WEBHOOK_VERIFY_TOKEN
// left empty are none; an active whatsapp_configs document may supply them, sealed under
// CONFIG_ENCRYPTION_KEY. With no app secret at all the ingress starts, is not ready, and refuses every
// POST with 401 and a log line saying why; an active document it cannot open refuses the start, naming
// CONFIG_ENCRYPTION_KEY. Against the real MongoDB-wire server, a database of this file's own.
const database = `${process.env.MONGODB_DB}_credentials_required`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const configs = whatsappConfigs(mongo.db(database));
const encryptionKey = randomBytes(32).toString("base64");

afterAll(() => mongo.close());

const settingsWithoutSecrets = (extra: NodeJS.ProcessEnv = {}) =>
  readIngressSettings({
    ...process.env,
    MONGODB_DB: database,
    TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}credentials-required.`,
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: "",
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "",
    CONFIG_ENCRYPTION_KEY: encryptionKey,
    LOG_LEVEL: "silent",
    ...extra,
  });

const secrets = {
  accessToken: "EAAG-test-token",
  verifyToken: "document-verify-token",
  appSecret: "document-app-secret",
};
const configDocument = (active: boolean) => ({
  _id: PHONE_NUMBER_ID,
  wabaId: WABA_ID,
  phoneNumberId: PHONE_NUMBER_ID,
  ...sealConfigSecrets(PHONE_NUMBER_ID, secrets, parseEncryptionKey(encryptionKey)),
  active,
  createdAt: new Date(),
  updatedAt: new Date(),
});

it("starts without them while no active document supplies them: not ready, every POST 401, and says why", async () => {
  await configs.replaceOne({ _id: PHONE_NUMBER_ID }, configDocument(false), { upsert: true });
  const { logger, lines } = recordingLogger();
  const ingress = await startIngress(settingsWithoutSecrets(), logger);
  try {
    const readiness = await fetch(`http://127.0.0.1:${ingress.operationsPort}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ checks: { configuration: false } });
    for (const appSecret of ["document-app-secret", "", "anything"]) {
      const answer = await postWebhook(
        `http://127.0.0.1:${ingress.port}`,
        statusDelivery([statusObject(wamid(), "sent", 1750263900)]),
        { appSecret },
      );
      expect(answer.status).toBe(401);
    }
    expect(lines.filter((line) => line.msg.includes("every POST is refused with 401"))).toHaveLength(1);
    expect(
      lines.filter((line) => line.msg.startsWith("signature refused") && line.reason === "no_app_secret"),
    ).toHaveLength(3);
  } finally {
    await ingress.stop();
  }
});

it("starts without them once an active sealed document supplies them, and answers with its secrets", async () => {
  await configs.replaceOne({ _id: PHONE_NUMBER_ID }, configDocument(true), { upsert: true });
  const ingress = await startIngress(settingsWithoutSecrets(), createLogger("test", "silent"));
  try {
    const handshake = await fetch(
      `http://127.0.0.1:${ingress.port}/api/integrations/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=document-verify-token&hub.challenge=7`,
    );
    expect([handshake.status, await handshake.text()]).toEqual([200, "7"]);
    const signed = await postWebhook(
      `http://127.0.0.1:${ingress.port}`,
      statusDelivery([statusObject(wamid(), "sent", 1750263900)]),
      { appSecret: "document-app-secret" },
    );
    expect(signed.status).toBe(200);
  } finally {
    await ingress.stop();
  }
});

it("refuses to start when an active document does not open, naming CONFIG_ENCRYPTION_KEY and the document", async () => {
  await configs.replaceOne({ _id: PHONE_NUMBER_ID }, configDocument(true), { upsert: true });
  for (const key of ["", randomBytes(32).toString("base64")]) {
    const started = startIngress(
      settingsWithoutSecrets({ CONFIG_ENCRYPTION_KEY: key }),
      createLogger("test", "silent"),
    );
    const refusal = await started.then(
      async (ingress) => {
        await ingress.stop();
        return new Error("started");
      },
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(SettingsError);
    const { problems, message } = refusal as SettingsError;
    expect(Object.keys(problems)).toEqual(["CONFIG_ENCRYPTION_KEY"]);
    expect(problems.CONFIG_ENCRYPTION_KEY).toContain(
      `whatsapp_configs document ${PHONE_NUMBER_ID}, appSecret`,
    );
    expect(message).not.toContain("document-app-secret");
  }
});
