import { MongoClient } from "mongodb";
import pino from "pino";
import { whatsappConfigs } from "../../ingress/configuration/config-cache";
import type { WhatsAppConfig } from "../../ingress/configuration/webhook-credentials";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { WABA_ID, statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import { postWebhook } from "../support/webhook-client";

// docs/operations.md, whatsapp_configs: with several active documents, the secrets and tokens of all of
// them are valid; when MongoDB cannot be read, the ingress keeps the last known ones. The ingress reaches
// the real MongoDB-wire server through a proxy the test cuts and restores.
const database = `${process.env.MONGODB_DB}_configs_outage`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const configs = whatsappConfigs(mongo.db(database));
const warnings: { msg: string }[] = [];
let store: TcpProxy;
let ingress: RunningIngress;
let baseUrl: string;

const config = (phoneNumberId: string, app: string, active = true): WhatsAppConfig => ({
  _id: phoneNumberId,
  wabaId: WABA_ID,
  phoneNumberId,
  accessToken: `EAAG-${app}`,
  verifyToken: `${app}-verify-token`,
  appSecret: `${app}-app-secret`,
  active,
  createdAt: new Date(),
  updatedAt: new Date(),
});

beforeAll(async () => {
  await configs.insertMany([
    config("100000000000001", "first"),
    config("100000000000002", "second"),
    config("100000000000003", "retired", false),
  ]);
  const target = new URL(process.env.MONGODB_URI!);
  store = await startTcpProxy({ host: target.hostname, port: Number(target.port || 27017) });
  const throughProxy = new URL(process.env.MONGODB_URI!);
  throughProxy.host = `127.0.0.1:${store.port}`;
  throughProxy.searchParams.set("directConnection", "true");
  const settings = readIngressSettings({
    ...process.env,
    MONGODB_URI: throughProxy.toString(),
    MONGODB_DB: database,
    TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}configs-outage.`,
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: "env-app-secret",
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "env-verify-token",
    WHATSAPP_CONFIG_REFRESH_MS: "200",
  });
  // Warnings are kept: a failed read of whatsapp_configs is logged once per refresh.
  const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  ingress = await startIngress(settings, logger);
  baseUrl = `http://127.0.0.1:${ingress.port}`;
});

afterAll(async () => {
  await ingress?.stop();
  await store?.close();
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
const answers = async (secrets: string[], tokens: string[]) => ({
  signed: Object.fromEntries(await Promise.all(secrets.map(async (s) => [s, await signedWith(s)]))),
  handshake: Object.fromEntries(await Promise.all(tokens.map(async (t) => [t, await handshake(t)]))),
});

it("accepts a signature and a verify token of any active document, and none of an inactive one", async () => {
  expect(
    await answers(
      ["first-app-secret", "second-app-secret", "retired-app-secret", "env-app-secret"],
      ["first-verify-token", "second-verify-token", "retired-verify-token", "env-verify-token"],
    ),
  ).toEqual({
    signed: {
      "first-app-secret": 200,
      "second-app-secret": 200,
      "retired-app-secret": 401,
      "env-app-secret": 401,
    },
    handshake: {
      "first-verify-token": 200,
      "second-verify-token": 200,
      "retired-verify-token": 403,
      "env-verify-token": 403,
    },
  });
});

it("keeps the last known credentials while the store cannot be read, and reads the store again after", async () => {
  await store.cut();
  // Changed behind the cut: the ingress cannot see this until the store answers again.
  await configs.updateOne({ _id: "100000000000001" }, { $set: { active: false, updatedAt: new Date() } });
  await configs.insertOne(config("100000000000004", "added"));
  const readFailures = () =>
    warnings.filter((w) => w.msg.startsWith("could not read whatsapp_configs")).length;
  await eventually(
    () => Promise.resolve(readFailures()),
    (failures) => failures >= 2,
    60_000,
  );

  expect(
    await answers(
      ["first-app-secret", "second-app-secret", "added-app-secret", "env-app-secret"],
      ["first-verify-token", "env-verify-token"],
    ),
  ).toEqual({
    signed: {
      "first-app-secret": 200,
      "second-app-secret": 200,
      "added-app-secret": 401,
      "env-app-secret": 401,
    },
    handshake: { "first-verify-token": 200, "env-verify-token": 403 },
  });

  await store.restore();
  await eventually(
    () => signedWith("added-app-secret"),
    (status) => status === 200,
    60_000,
  );
  expect(
    await answers(["first-app-secret", "second-app-secret", "added-app-secret"], ["added-verify-token"]),
  ).toEqual({
    signed: { "first-app-secret": 401, "second-app-secret": 200, "added-app-secret": 200 },
    handshake: { "added-verify-token": 200 },
  });
});
