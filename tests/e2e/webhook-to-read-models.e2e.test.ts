import { MongoClient } from "mongodb";
import {
  envelope,
  messagesChange,
  metadata,
  statusObject,
  wamid,
  CUSTOMER_WA_ID,
  PHONE_NUMBER_ID,
} from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { traceIdOfRequest, waitForTrace, type JaegerTrace } from "../support/jaeger";
import { startServiceProcess, type ServiceProcess } from "../support/service-process";
import { postWebhook } from "../support/webhook-client";

// The three services as processes: a signed POST shows up in both read models, and in
// Jaeger as one trace across whatsapp-ingress, whatsapp-status-projector and whatsapp-conversation-projector.
const appSecret = "e2e-pipeline-secret";
const env = {
  TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}pipeline.`,
  MONGODB_DB: `whatsapp_test_${process.env.TEST_RUN_ID}_pipeline`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-verify",
  LOG_LEVEL: "warn",
};
// How long to wait for the read models: a generous bound, not a speed claim (that is make bench's).
const readModelsWaitMs = 60_000;
const services: ServiceProcess[] = [];
const mongo = new MongoClient(process.env.MONGODB_URI!);

beforeAll(async () => {
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
});

afterAll(async () => {
  const exitCodes = await Promise.all(services.map((s) => s.stop()));
  await mongo.close();
  expect(exitCodes).toEqual([0, 0, 0]);
});

it("follows one webhook from POST to documents to a single trace across the three services", async () => {
  const outbound = wamid("pipeline-out");
  const inbound = wamid("pipeline-in");
  const delivery = envelope([
    messagesChange({ statuses: [statusObject(outbound, "delivered", 1750264100)] }),
    {
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata,
        contacts: [{ profile: { name: "Sheena Nelson" }, wa_id: CUSTOMER_WA_ID }],
        messages: [
          {
            from: CUSTOMER_WA_ID,
            id: inbound,
            timestamp: "1750264101",
            type: "text",
            text: { body: "Where is my order?" },
          },
        ],
      },
    },
  ]);
  const answer = await postWebhook(services[0]!.baseUrl, delivery, { appSecret });
  expect(answer.status).toBe(200);

  const db = mongo.db(env.MONGODB_DB);
  const status = await eventually(
    () => db.collection("message_statuses").findOne({ _id: outbound as never }),
    (d) => d !== null,
    readModelsWaitMs,
  );
  const conversation = await eventually(
    () => db.collection("conversations").findOne({ _id: `${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}` as never }),
    (d) => d !== null,
    readModelsWaitMs,
  );
  expect(status).toMatchObject({ status: "delivered", deliveredAt: new Date(1750264100_000) });
  expect(conversation).toMatchObject({
    messageCount: 1,
    lastMessageId: inbound,
    lastMessagePreview: "Where is my order?",
  });
  expect(await db.collection("inbound_messages").findOne({ _id: inbound as never })).toMatchObject({
    text: { body: "Where is my order?" },
  });

  const traceId = await traceIdOfRequest(answer.requestId!);
  const wanted = ["whatsapp-ingress", "whatsapp-status-projector", "whatsapp-conversation-projector"];
  const serviceNames = (t: JaegerTrace) => new Set(t.spans.map((s) => t.processes[s.processID]!.serviceName));
  const found = await waitForTrace(
    traceId,
    (t) =>
      wanted.every((name) => serviceNames(t).has(name)) &&
      t.spans.filter((s) => s.operationName.startsWith("mongodb")).length >= 2,
    30_000,
  );
  const operations = found.spans.map(
    (s) => `${found.processes[s.processID]!.serviceName}: ${s.operationName}`,
  );
  expect(operations).toEqual(
    expect.arrayContaining([
      "whatsapp-ingress: POST /api/integrations/webhooks/whatsapp",
      "whatsapp-ingress: send",
      expect.stringMatching(/^whatsapp-status-projector: process .*whatsapp\.message\.status\.v1$/),
      "whatsapp-status-projector: mongodb bulkWrite message_statuses",
      expect.stringMatching(/^whatsapp-conversation-projector: process .*whatsapp\.message\.inbound\.v1$/),
      "whatsapp-conversation-projector: mongodb bulkWrite inbound_messages,business_app_messages,conversations",
    ]),
  );
  // One tree: POST -> send (the delivery's records carry its context) -> each projector's process span.
  const span = (operation: string | RegExp) =>
    found.spans.find((s) =>
      typeof operation === "string" ? s.operationName === operation : operation.test(s.operationName),
    )!;
  const parentOf = (s: JaegerTrace["spans"][number]) =>
    s.references.find((r) => r.refType === "CHILD_OF")?.spanID;
  const post = span("POST /api/integrations/webhooks/whatsapp");
  const send = span("send");
  expect(post.tags).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ key: "http.route", value: "/api/integrations/webhooks/whatsapp" }),
      expect.objectContaining({ key: "http.response.status_code", value: 200 }),
      expect.objectContaining({ key: "whatsapp.request_id", value: answer.requestId }),
    ]),
  );
  expect(parentOf(send)).toBe(post.spanID);
  expect(parentOf(span(/^process .*whatsapp\.message\.status\.v1$/))).toBe(send.spanID);
  expect(parentOf(span(/^process .*whatsapp\.message\.inbound\.v1$/))).toBe(send.spanID);
  console.log(`trace ${traceId}: ${found.spans.length} spans`);
});
