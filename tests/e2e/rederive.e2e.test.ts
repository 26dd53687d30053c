import { spawn } from "node:child_process";
import path from "node:path";
import { COMPATIBILITY, SchemaType } from "@kafkajs/confluent-schema-registry";
import { MongoClient } from "mongodb";
import type { RawWebhookDelivery } from "../../contracts/generated/types";
import { readSchemaFile, schemaDirectory } from "../../contracts/schema-files";
import { topicName, valueSubject, type TopicId } from "../../contracts/topics";
import { signBody } from "../../ingress/domain/signature";
import { bsuidOnlyTextMessage } from "../fixtures/identity-webhooks";
import {
  CUSTOMER_WA_ID,
  envelope,
  inboundDelivery,
  messagesChange,
  PHONE_NUMBER_ID,
  statusObject,
  wamid,
  WABA_ID,
} from "../fixtures/meta-webhooks";
import { eventually, EventProducer } from "../support/event-producer";
import { startServiceProcess, type ServiceProcess } from "../support/service-process";
import { stackKafka } from "../support/stack-clients";
import { postWebhook } from "../support/webhook-client";

// The rederive command beside the running ingress and projectors: raw records an older ingress kept
// without deriving their events reach the read models; a delivery already applied is not applied twice.
const appSecret = "e2e-rederive-secret";
const env = {
  TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}rederive.`,
  MONGODB_DB: `whatsapp_test_${process.env.TEST_RUN_ID}_rederive`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-verify",
  LOG_LEVEL: "warn",
};
const repositoryRoot = path.resolve(__dirname, "../..");
const services: ServiceProcess[] = [];
const mongo = new MongoClient(process.env.MONGODB_URI!);
const kafka = stackKafka("test-rederive");
const admin = kafka.admin();
const rawWriter = new EventProducer(env.TOPIC_PREFIX);

beforeAll(async () => {
  // The ingress creates the topics and registers the schemas, as in production.
  services.push(await startServiceProcess("ingress", "dist/ingress/main.js", env));
  services.push(
    await startServiceProcess("status-projector", "dist/projector/main.js", { ...env, PROJECTION: "status" }),
  );
  services.push(
    await startServiceProcess("conversation-projector", "dist/projector/main.js", {
      ...env,
      PROJECTION: "conversation",
    }),
  );
  await admin.connect();
  await rawWriter.connect(["rawWebhook"]);
});

afterAll(async () => {
  const exitCodes = await Promise.all(services.map((s) => s.stop()));
  await rawWriter.disconnect();
  await admin.disconnect();
  await mongo.close();
  expect(exitCodes).toEqual([0, 0, 0]);
});

/**
 * Writes a signed body to the raw topic as an ingress whose parser derived nothing from it would have:
 * counts 0, no derived events, in the raw topic's first published schema. A string body is not JSON.
 */
async function writeRawRecordAsOlderIngress(
  requestId: string,
  body: Record<string, unknown> | string,
): Promise<void> {
  const jsonParsed = typeof body !== "string";
  const bytes = Buffer.from(jsonParsed ? JSON.stringify(body) : body);
  const value: Omit<
    RawWebhookDelivery,
    | "untypedCount"
    | "templateEventCount"
    | "accountEventCount"
    | "businessAppMessageCount"
    | "callEventCount"
    | "groupEventCount"
    | "userPreferenceCount"
    | "paymentStatusCount"
  > = {
    requestId,
    receivedAt: Date.now(),
    body: bytes,
    signatureHeader: signBody(bytes, appSecret),
    contentType: "application/json",
    jsonParsed,
    shapeRecognized: jsonParsed,
    problem: jsonParsed ? null : "body is not JSON",
    wabaId: jsonParsed ? WABA_ID : null,
    statusCount: 0,
    inboundCount: 0,
    businessEventCount: 0,
  };
  const firstSchema = readSchemaFile(
    "1.avsc",
    path.join(schemaDirectory, "published", "whatsapp.webhook.raw.v1"),
  );
  const { id } = await rawWriter.serde.registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(firstSchema) },
    {
      subject: valueSubject("rawWebhook", env.TOPIC_PREFIX),
      compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE,
    },
  );
  await rawWriter.sendRaw("rawWebhook", [
    { key: value.wabaId ?? requestId, value: await rawWriter.serde.registry.encode(id, value) },
  ]);
}

async function recordsIn(topic: TopicId): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topicName(topic, env.TOPIC_PREFIX));
  return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
}

/** Whether the projector's group has committed every record of its topic. */
async function caughtUp(projection: "status" | "conversation", topic: TopicId): Promise<boolean> {
  const name = topicName(topic, env.TOPIC_PREFIX);
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(name),
    admin.fetchOffsets({ groupId: `${env.TOPIC_PREFIX}whatsapp-${projection}-projector`, topics: [name] }),
  ]);
  return ends.every(({ partition, high }) => {
    const offset = committed?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
    return Number(high) === 0 || Number(offset) >= Number(high);
  });
}

function runRederive(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repositoryRoot, "dist/cli/rederive.js"), ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, NODE_OPTIONS: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

it("publishes again the events an older parser missed; what was already applied is applied once", async () => {
  const since = new Date(Date.now() - 1000).toISOString();
  const db = mongo.db(env.MONGODB_DB);
  const conversationId = `${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`;

  const outbound = wamid("rederive-out");
  const applied = wamid("rederive-applied");
  const answer = await postWebhook(
    services[0]!.baseUrl,
    envelope([
      messagesChange({ statuses: [statusObject(outbound, "delivered", 1750264100)] }),
      messagesChange({
        contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: CUSTOMER_WA_ID }],
        messages: [
          {
            from: CUSTOMER_WA_ID,
            id: applied,
            timestamp: "1750264101",
            type: "text",
            text: { body: "Hello" },
          },
        ],
      }),
    ]),
    { appSecret },
  );
  expect(answer.status).toBe(200);
  await eventually(
    () => db.collection("conversations").findOne({ _id: conversationId as never }),
    (document) => document?.messageCount === 1,
  );
  await eventually(
    () => db.collection("message_statuses").findOne({ _id: outbound as never }),
    (document) => document !== null,
  );

  const missed = wamid("rederive-missed");
  const missedBsuid = wamid("rederive-missed-bsuid");
  await writeRawRecordAsOlderIngress(
    "rederive-raw-only-phone",
    inboundDelivery({ id: missed, timestamp: "1750264200", type: "text", text: { body: "Is it in stock?" } }),
  );
  await writeRawRecordAsOlderIngress(
    "rederive-raw-only-bsuid",
    bsuidOnlyTextMessage({ id: missedBsuid, timestamp: 1750264300, body: "And in blue?" }),
  );
  await writeRawRecordAsOlderIngress("rederive-raw-not-json", '{"entry": [');
  const rawRecords = await recordsIn("rawWebhook");
  expect(rawRecords).toBe(4);
  const inboundEvents = await recordsIn("inboundMessage");

  const { code, output } = await runRederive(["--since", since, "--report-every", "1"]);
  expect({ code, output }).toEqual({ code: 0, output: expect.any(String) });
  expect(output).toMatch(/\[rederive\] reading .*whatsapp\.webhook\.raw\.v1 since .*: 4 raw records/);
  expect(output).toMatch(/\[rederive\] read 4\/4 raw records \(100\.0%\); published/);
  expect(output).toMatch(
    /\[rederive\] done in [\d.]+ s: read 4\/4 raw records; published status 1, inbound 3, business 0, template 0, account 0, business-app 0, call 0, group 0, preference 0, payment 0 \(4 events\); skipped 1 \(1 not JSON, 0 empty\); 2 deliveries gave more events/,
  );
  // The derived events only, never the raw records again.
  expect(await recordsIn("rawWebhook")).toBe(rawRecords);
  expect(await recordsIn("inboundMessage")).toBe(inboundEvents + 3);

  await eventually(
    async () =>
      (await caughtUp("status", "messageStatus")) && (await caughtUp("conversation", "inboundMessage")),
    (done) => done,
  );
  const inbound = db.collection("inbound_messages");
  expect(await inbound.findOne({ _id: missed as never })).toMatchObject({
    conversationId,
    text: { body: "Is it in stock?" },
  });
  // A message without a phone number, which the parser of the day ignored.
  expect(await inbound.findOne({ _id: missedBsuid as never })).toMatchObject({
    text: { body: "And in blue?" },
  });
  expect(await inbound.countDocuments()).toBe(3);
  expect(await inbound.countDocuments({ conversationId })).toBe(2);
  expect(await db.collection("conversations").findOne({ _id: conversationId as never })).toMatchObject({
    messageCount: 2,
    lastMessageId: missed,
  });
  const status = await db.collection("message_statuses").findOne({ _id: outbound as never });
  expect(status?.timeline).toHaveLength(1);
  expect(await db.collection("message_statuses").countDocuments()).toBe(1);
});

it("exits 2 with its usage when told neither where to start nor anything it knows", async () => {
  for (const args of [[], ["--since", "yesterday"], ["--everything"]]) {
    const { code, output } = await runRederive(args);
    expect({ args, code }).toEqual({ args, code: 2 });
    expect(output).toContain("npm run rederive -- --since <time>");
  }
});

it("exits 1 naming the raw record it cannot read", async () => {
  const since = new Date().toISOString();
  await rawWriter.sendRaw("rawWebhook", [
    { key: "garbage", value: Buffer.from("not Confluent wire format") },
  ]);
  const { code, output } = await runRederive(["--since", since]);
  expect(code).toBe(1);
  expect(output).toMatch(/rederive failed: raw record .*whatsapp\.webhook\.raw\.v1\[\d\]@\d+: /);
});
