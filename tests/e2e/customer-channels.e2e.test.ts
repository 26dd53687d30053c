import { MongoClient } from "mongodb";
import {
  CALL_ID,
  ECHO_TEXT_ID,
  GROUP_ID,
  GROUP_MESSAGE_ID,
  PAYMENT_REFERENCE_ID,
  calls,
  echoes,
  groupMessage,
  groupStatuses,
  groups,
  history,
  payments,
  userPreferences,
} from "../fixtures/customer-channel-webhooks";
import { bothIdentifiersTextMessage } from "../fixtures/identity-webhooks";
import { CUSTOMER_WA_ID, PHONE_NUMBER_ID, wamid } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { traceIdOfRequest, waitForTrace, type JaegerTrace } from "../support/jaeger";
import { startServiceProcess, type ServiceProcess } from "../support/service-process";
import { postWebhook } from "../support/webhook-client";

// The ingress and one projector process running every projection the customer channels reach: one
// signed delivery with an echo, imported history, a marketing stop, a call, a group and its message,
// group statuses and a payment ends in each read model, and in Jaeger as one trace from the POST to
// every projection's writes.
const appSecret = "e2e-customer-channels-secret";
const env = {
  TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}customer-channels.`,
  MONGODB_DB: `whatsapp_test_${process.env.TEST_RUN_ID}_customer_channels_e2e`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-customer-channels-verify",
  LOG_LEVEL: "warn",
};
const projections = ["conversation", "groups", "status", "calls", "payments"];
/** A generous bound for the read models, not a speed claim. */
const readModelsWaitMs = 60_000;
const services: ServiceProcess[] = [];
const mongo = new MongoClient(process.env.MONGODB_URI!);
const conversationId = `${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`;
const ONE_TO_ONE_ID = wamid("customer-channels-one-to-one");

/** One delivery holding the changes of every body, as Meta batches changes of one account. */
function oneDelivery(bodies: Record<string, unknown>[]): Record<string, unknown> {
  const entries = bodies.flatMap((body) => body.entry as { id: string; changes: unknown[] }[]);
  return {
    object: "whatsapp_business_account",
    entry: [{ id: entries[0]!.id, changes: entries.flatMap((entry) => entry.changes) }],
  };
}

beforeAll(async () => {
  services.push(await startServiceProcess("ingress", "dist/ingress/main.js", env));
  services.push(
    await startServiceProcess("projector", "dist/projector/main.js", {
      ...env,
      PROJECTIONS: projections.join(","),
    }),
  );
});

afterAll(async () => {
  const exitCodes = await Promise.all(services.map((s) => s.stop()));
  await mongo.close();
  expect(exitCodes).toEqual([0, 0]);
});

it("follows one signed delivery of every customer channel to its read models, and to one trace", async () => {
  const delivery = oneDelivery([
    echoes.text,
    history.chunk1,
    userPreferences.stop,
    calls.userInitiatedConnect,
    groups.created,
    groupMessage,
    groupStatuses,
    payments.captured,
  ]);
  const answer = await postWebhook(services[0]!.baseUrl, delivery, { appSecret });
  expect(answer.status).toBe(200);
  // A 1:1 message of the group message's sender, after it on the same partition: once it is applied,
  // the conversation projection has seen the group message too.
  const oneToOne = bothIdentifiersTextMessage({ id: ONE_TO_ONE_ID, body: "A question just for you" });
  expect((await postWebhook(services[0]!.baseUrl, oneToOne, { appSecret })).status).toBe(200);

  const db = mongo.db(env.MONGODB_DB);
  const byId = (collection: string, id: string) =>
    eventually(
      () => db.collection(collection).findOne({ _id: id as never }),
      (document) => document !== null,
      readModelsWaitMs,
    );
  const conversation = await eventually(
    () => db.collection("conversations").findOne({ _id: conversationId as never }),
    (document) =>
      document?.marketingOptOut !== undefined &&
      document?.lastOutboundMessageAt !== undefined &&
      document?.lastMessageId === ONE_TO_ONE_ID,
    readModelsWaitMs,
  );
  // The group message is not the customer's 1:1 message: only the 1:1 one counts.
  expect(conversation).toMatchObject({ messageCount: 1, marketingOptOut: { value: true } });
  expect(await byId("business_app_messages", ECHO_TEXT_ID)).toMatchObject({
    conversationId,
    direction: "outbound",
    source: "echo",
  });
  const imported = await eventually(
    () => db.collection("business_app_messages").find({ source: "history" }).toArray(),
    (documents) => documents.length === 3,
    readModelsWaitMs,
  );
  for (const message of imported) expect(message).toMatchObject({ conversationId, history: { phase: 1 } });

  expect(
    await db
      .collection("inbound_messages")
      .find()
      .map((m) => m._id)
      .toArray(),
  ).toEqual([ONE_TO_ONE_ID]);
  const groupMessages = await eventually(
    () => db.collection("group_messages").find({ groupId: GROUP_ID }).toArray(),
    (documents) => documents.length === 1,
    readModelsWaitMs,
  );
  expect(groupMessages[0]).toMatchObject({ groupId: GROUP_ID, text: { body: "Count me in for Sunday!" } });
  expect(await byId("groups", GROUP_ID)).toMatchObject({ subject: "Sunday brunch club" });
  const statuses = await eventually(
    () => db.collection("message_statuses").findOne({ _id: GROUP_MESSAGE_ID as never }),
    (document) => (document?.participants as unknown[] | undefined)?.length === 3,
    readModelsWaitMs,
  );
  expect(statuses).toMatchObject({ recipientType: "group", groupId: GROUP_ID });
  expect(await byId("calls", CALL_ID)).toMatchObject({ direction: "USER_INITIATED" });
  expect(await byId("payments", `${PHONE_NUMBER_ID}:${PAYMENT_REFERENCE_ID}`)).toMatchObject({
    status: "captured",
  });

  const traceId = await traceIdOfRequest(answer.requestId!);
  // One write span per projection and slice, naming the projection's collections.
  const written = [
    "inbound_messages,business_app_messages,conversations",
    "group_messages,groups",
    "message_statuses",
    "calls",
    "payments",
  ];
  const found = await waitForTrace(
    traceId,
    (t) => written.every((c) => t.spans.some((s) => s.operationName === `mongodb bulkWrite ${c}`)),
    30_000,
  );
  const projectionOf = (span: JaegerTrace["spans"][number]) =>
    span.tags.find((tag) => tag.key === "whatsapp.projection")?.value;
  const processSpans = found.spans.filter((s) => s.operationName.startsWith("process "));
  expect([...new Set(processSpans.map(projectionOf))].sort()).toEqual([...projections].sort());
  expect(found.spans.map((s) => `${found.processes[s.processID]!.serviceName}: ${s.operationName}`)).toEqual(
    expect.arrayContaining([
      "whatsapp-ingress: POST /api/integrations/webhooks/whatsapp",
      ...written.map((collection) => `whatsapp-projector: mongodb bulkWrite ${collection}`),
    ]),
  );
});
