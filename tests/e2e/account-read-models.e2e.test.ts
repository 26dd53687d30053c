import { MongoClient } from "mongodb";
import { accountUpdate, fieldDelivery, phoneNumberName } from "../fixtures/business-health-webhooks";
import { DISPLAY_PHONE_NUMBER, WABA_ID } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { traceIdOfRequest, waitForTrace, type JaegerTrace } from "../support/jaeger";
import { startServiceProcess, type ServiceProcess } from "../support/service-process";
import { postWebhook } from "../support/webhook-client";

// The ingress and one projector process running the account and phone-number projections (as make up
// runs every projection in one): a signed delivery ends in accounts and phone_numbers, and in Jaeger as
// one trace from the POST to both projections' writes.
const appSecret = "e2e-account-read-models-secret";
const env = {
  TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}account-read-models.`,
  MONGODB_DB: `whatsapp_test_${process.env.TEST_RUN_ID}_account_read_models_e2e`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-account-read-models-verify",
  LOG_LEVEL: "warn",
};
/** A generous bound for the read models, not a speed claim. */
const readModelsWaitMs = 60_000;
/** Far ahead of any clock this test runs on. */
const farFuture = 4102444800;
const services: ServiceProcess[] = [];
const mongo = new MongoClient(process.env.MONGODB_URI!);

beforeAll(async () => {
  services.push(await startServiceProcess("ingress", "dist/ingress/main.js", env));
  services.push(
    await startServiceProcess("projector", "dist/projector/main.js", {
      ...env,
      PROJECTIONS: "account,phone-number",
    }),
  );
});

afterAll(async () => {
  const exitCodes = await Promise.all(services.map((s) => s.stop()));
  await mongo.close();
  expect(exitCodes).toEqual([0, 0]);
});

it("follows a signed delivery to accounts and phone_numbers, and to one trace", async () => {
  const delivery = fieldDelivery({
    field: "account_update",
    value: {
      event: "ACCOUNT_RESTRICTION",
      restriction_info: [{ restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration: farFuture }],
    },
  });
  (delivery.entry as { changes: unknown[] }[])[0]!.changes.push(
    phoneNumberName.rejected,
    accountUpdate.violation,
  );
  const answer = await postWebhook(services[0]!.baseUrl, delivery, { appSecret });
  expect(answer.status).toBe(200);

  const db = mongo.db(env.MONGODB_DB);
  const restricted = await eventually(
    () =>
      db
        .collection("accounts")
        .find({ "restriction.until": { $gt: new Date() } })
        .toArray(),
    (documents) => documents.length === 1 && documents[0]!.history.length === 2,
    readModelsWaitMs,
  );
  expect(restricted[0]).toMatchObject({
    _id: WABA_ID,
    restriction: { until: new Date(farFuture * 1000) },
    violation: { violationType: "SCAM" },
  });
  const phone = await eventually(
    () => db.collection("phone_numbers").findOne({ _id: DISPLAY_PHONE_NUMBER as never }),
    (document) => document !== null,
    readModelsWaitMs,
  );
  expect(phone).toMatchObject({
    wabaId: WABA_ID,
    nameReview: { decision: "REJECTED", rejectionReason: "NAME_FORMAT_UNACCEPTABLE" },
  });

  const traceId = await traceIdOfRequest(answer.requestId!);
  const projectionOf = (span: JaegerTrace["spans"][number]) =>
    span.tags.find((tag) => tag.key === "whatsapp.projection")?.value;
  const found = await waitForTrace(
    traceId,
    (t) => t.spans.filter((s) => s.operationName.startsWith("mongodb bulkWrite")).length >= 2,
    30_000,
  );
  const send = found.spans.find((s) => s.operationName === "send")!;
  const processSpans = found.spans.filter((s) =>
    /^process .*whatsapp\.account\.event\.v1$/.test(s.operationName),
  );
  expect(processSpans.map(projectionOf).sort()).toEqual(["account", "phone-number"]);
  for (const span of processSpans)
    expect(span.references.find((r) => r.refType === "CHILD_OF")?.spanID).toBe(send.spanID);
  expect(found.spans.map((s) => `${found.processes[s.processID]!.serviceName}: ${s.operationName}`)).toEqual(
    expect.arrayContaining([
      "whatsapp-ingress: POST /api/integrations/webhooks/whatsapp",
      "whatsapp-projector: mongodb bulkWrite accounts",
      "whatsapp-projector: mongodb bulkWrite phone_numbers",
    ]),
  );
});
