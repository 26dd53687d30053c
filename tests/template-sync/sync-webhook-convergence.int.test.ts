import { MongoClient } from "mongodb";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { templatesProjection } from "../../projector/projections/templates/projection";
import type { TemplateDocument } from "../../projector/projections/templates/template-document";
import { fieldDelivery, templateQuality, templateStatus } from "../fixtures/business-health-webhooks";
import { eventually } from "../support/event-producer";
import { recordingLogger } from "../support/http-harness";
import { TestProjectors } from "../support/projectors";
import { postWebhook } from "../support/webhook-client";
import { FakeGraphApi, firstPagePath } from "./fake-graph-api";
import { runTemplatesSync } from "./sync-process";

// The sync and signed webhooks through the real ingress, both to whatsapp.template.event.v1, folded by
// the templates projection: two templates given the same changes, one webhooks first, the other the sync
// first, end in the same document.
const run = process.env.TEST_RUN_ID!;
const prefix = `${process.env.TOPIC_PREFIX}template-convergence.`;
const database = `whatsapp_test_${run}_template_convergence`;
const appSecret = "int-template-convergence-secret";
const wabaId = "102290129340601";
const webhooksFirst = 2000000000000001;
const syncFirst = 2000000000000002;
/** Meta's time of the quality drop: after the sync's read, so the webhook's score is the latest. */
const year2100 = 4102444800;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const graph = new FakeGraphApi();
const projectors = new TestProjectors();
let ingress: RunningIngress;
let baseUrl: string;

const templates = () => mongo.db(database).collection<TemplateDocument>("templates");

beforeAll(async () => {
  await graph.start();
  ingress = await startIngress(
    readIngressSettings({
      ...process.env,
      TOPIC_PREFIX: prefix,
      PORT: "0",
      OPS_PORT: "0",
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: "int-template-convergence-token",
    }),
    recordingLogger().logger,
  );
  baseUrl = `http://127.0.0.1:${ingress.port}`;
  await projectors.start(templatesProjection, prefix, database);
});

afterAll(async () => {
  await projectors.stopAll();
  await ingress?.stop();
  await graph.stop();
  await mongo.close();
});

/** The pause (Meta's example time) and the quality drop (2100) of one template, signed, through the ingress. */
async function webhooks(templateId: number) {
  for (const [change, time] of [
    [templateStatus.paused, 1751247548],
    [templateQuality.dropped, year2100],
  ] as const) {
    const value = { ...change.value, message_template_id: templateId };
    const answer = await postWebhook(baseUrl, fieldDelivery({ ...change, value }, { time, wabaId }), {
      appSecret,
    });
    expect(answer.status).toBe(200);
  }
}

/** The same template content from the Graph API for both ids, on one page: one read time for both. */
function graphTemplates() {
  const template = (id: number) => ({
    id: String(id),
    name: "order_confirmation",
    language: "en_US",
    status: "PAUSED",
    category: "UTILITY",
    quality_score: { score: "GREEN", date: 1751247000 },
    components: [
      { type: "HEADER", format: "TEXT", text: "Your order is confirmed!" },
      { type: "BODY", text: "Thank you for your order, {{1}}!" },
    ],
  });
  graph.answer(firstPagePath(wabaId), {
    status: 200,
    body: { data: [template(webhooksFirst), template(syncFirst)] },
  });
}

const historyFields = (id: number) => async () =>
  (await templates().findOne({ _id: String(id) }))?.history.map((entry) => entry.field).sort() ?? [];

it("gives the same templates document whether the webhooks or the sync come first", async () => {
  await webhooks(webhooksFirst);
  await eventually(historyFields(webhooksFirst), (fields) => fields.length === 2);

  graphTemplates();
  const sync = await runTemplatesSync([], {
    TOPIC_PREFIX: prefix,
    MONGODB_DB: database,
    GRAPH_API_BASE_URL: graph.baseUrl,
    WHATSAPP_WABA_ID: wabaId,
    WHATSAPP_ACCESS_TOKEN: "EAAconvergence-token",
  });
  expect(sync.code).toBe(0);
  await eventually(historyFields(webhooksFirst), (fields) => fields.length === 3);
  await eventually(historyFields(syncFirst), (fields) => fields.length === 1);

  await webhooks(syncFirst);
  await eventually(historyFields(syncFirst), (fields) => fields.length === 3);

  /** A document without what names its template (id, event ids, Meta's raw values) or counts its writes. */
  const comparable = async (id: number) => {
    const {
      _id,
      revision: _revision,
      history,
      ...state
    } = (await templates().findOne({
      _id: String(id),
    }))! as TemplateDocument & {
      revision: number;
    };
    // Event ids and arrival times differ between the two templates' copies of the same changes.
    return {
      ...state,
      history: history.map(({ eventId: _eventId, receivedAt: _receivedAt, ...entry }) => entry),
    };
  };
  const [fromWebhooksFirst, fromSyncFirst] = [await comparable(webhooksFirst), await comparable(syncFirst)];
  expect(fromSyncFirst).toEqual(fromWebhooksFirst);
  expect(fromWebhooksFirst).toMatchObject({
    wabaId,
    status: "PAUSED",
    statusReason: "NONE",
    statusInfo: { otherInfo: templateStatus.paused.value.other_info },
    category: "UTILITY",
    qualityScore: "YELLOW",
    previousQualityScore: "GREEN",
    components: { title: "Your order is confirmed!", body: "Thank you for your order, {{1}}!" },
    updatedAt: new Date(year2100 * 1000),
  });
  expect(fromWebhooksFirst.history.map((entry) => entry.field)).toEqual([
    "message_template_status_update",
    "template_sync",
    "message_template_quality_update",
  ]);
}, 120_000);
