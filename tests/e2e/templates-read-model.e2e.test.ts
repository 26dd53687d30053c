import { MongoClient } from "mongodb";
import type { TemplateDocument } from "../../projector/projections/templates/template-document";
import { fieldDelivery, templateComponents, templateStatus } from "../fixtures/business-health-webhooks";
import { WABA_ID } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { traceIdOfRequest, waitForTrace } from "../support/jaeger";
import { startServiceProcess, type ServiceProcess } from "../support/service-process";
import { postWebhook } from "../support/webhook-client";

// The ingress and the one projector process with its default, every projection (as make up runs it): a
// signed delivery of two template fields ends in one templates document, and in Jaeger as one trace from
// the POST to the templates write.
const appSecret = "e2e-templates-secret";
const env = {
  TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}templates-e2e.`,
  MONGODB_DB: `whatsapp_test_${process.env.TEST_RUN_ID}_templates_e2e`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-templates-verify",
  LOG_LEVEL: "warn",
  PROJECTIONS: "",
};
/** A generous bound for the read model, not a speed claim. */
const readModelWaitMs = 60_000;
const templateId = templateStatus.paused.value.message_template_id;
const services: ServiceProcess[] = [];
const mongo = new MongoClient(process.env.MONGODB_URI!);

beforeAll(async () => {
  services.push(await startServiceProcess("ingress", "dist/ingress/main.js", env));
  services.push(await startServiceProcess("projector", "dist/projector/main.js", env));
});

afterAll(async () => {
  const exitCodes = await Promise.all(services.map((s) => s.stop()));
  await mongo.close();
  expect(exitCodes).toEqual([0, 0]);
});

it("follows a signed delivery of a pause and an edit to one templates document, and to one trace", async () => {
  const delivery = fieldDelivery(templateStatus.paused);
  (delivery.entry as { changes: unknown[] }[])[0]!.changes.push({
    ...templateComponents.edited,
    value: { ...templateComponents.edited.value, message_template_id: templateId },
  });
  const answer = await postWebhook(services[0]!.baseUrl, delivery, { appSecret });
  expect(answer.status).toBe(200);

  const templates = mongo.db(env.MONGODB_DB).collection<TemplateDocument>("templates");
  const document = await eventually(
    () => templates.findOne({ _id: String(templateId) }),
    (found) => found?.history.length === 2,
    readModelWaitMs,
  );
  expect(document).toMatchObject({
    wabaId: WABA_ID,
    status: "PAUSED",
    statusInfo: { otherInfo: templateStatus.paused.value.other_info },
    category: "UTILITY",
    components: { title: "Your order is confirmed!", footer: "Lucky Shrub: Your gateway to succulents!" },
  });
  expect(await templates.find({ wabaId: WABA_ID, status: "PAUSED" }).toArray()).toHaveLength(1);

  const traceId = await traceIdOfRequest(answer.requestId!);
  const found = await waitForTrace(
    traceId,
    (t) => t.spans.some((s) => s.operationName === "mongodb bulkWrite templates"),
    30_000,
  );
  const send = found.spans.find((s) => s.operationName === "send")!;
  const processSpan = found.spans.find((s) =>
    /^process .*whatsapp\.template\.event\.v1$/.test(s.operationName),
  )!;
  expect(processSpan.tags.find((tag) => tag.key === "whatsapp.projection")?.value).toBe("templates");
  expect(processSpan.references.find((r) => r.refType === "CHILD_OF")?.spanID).toBe(send.spanID);
  expect(found.spans.map((s) => `${found.processes[s.processID]!.serviceName}: ${s.operationName}`)).toEqual(
    expect.arrayContaining([
      "whatsapp-ingress: POST /api/integrations/webhooks/whatsapp",
      "whatsapp-projector: mongodb bulkWrite templates",
    ]),
  );
});
