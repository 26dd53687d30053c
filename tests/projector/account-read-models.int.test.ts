import { MongoClient } from "mongodb";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import type { Projection } from "../../projector/framework/projection";
import type { AccountDocument } from "../../projector/projections/account/account-document";
import { accountProjection } from "../../projector/projections/account/projection";
import type { PhoneNumberDocument } from "../../projector/projections/phone-number/phone-number-document";
import { phoneNumberProjection } from "../../projector/projections/phone-number/projection";
import {
  accountAlert,
  accountUpdate,
  businessCapability,
  fieldDelivery,
  phoneNumberName,
  phoneNumberQuality,
  type FieldChangeBody,
} from "../fixtures/business-health-webhooks";
import { DISPLAY_PHONE_NUMBER, WABA_ID } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { recordingLogger } from "../support/http-harness";
import { TestProjectors } from "../support/projectors";
import { postWebhook } from "../support/webhook-client";

// Signed deliveries through the real ingress (in-process) to whatsapp.account.event.v1, and the account
// and phone-number projections (in-process, one projector) to accounts and phone_numbers, on the real stack.
const run = process.env.TEST_RUN_ID!;
const prefix = `${process.env.TOPIC_PREFIX}account-read-models.`;
const database = `whatsapp_test_${run}_account_read_models`;
const appSecret = "int-account-read-models-secret";
const mongo = new MongoClient(process.env.MONGODB_URI!);
const projectors = new TestProjectors();
let ingress: RunningIngress;
let baseUrl: string;

const laterWaba = "102290129340401";
const expiredWaba = "102290129340402";
/** Far ahead of any clock this test runs on, and long past: restricted now, and no longer. */
const farFuture = 4102444800;
const longPast = 1641330498;

const restriction = (type: string, expiration: number): FieldChangeBody => ({
  field: "account_update",
  value: { event: "ACCOUNT_RESTRICTION", restriction_info: [{ restriction_type: type, expiration }] },
});

beforeAll(async () => {
  ingress = await startIngress(
    readIngressSettings({
      ...process.env,
      TOPIC_PREFIX: prefix,
      PORT: "0",
      OPS_PORT: "0",
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: "int-account-read-models-token",
    }),
    recordingLogger().logger,
  );
  baseUrl = `http://127.0.0.1:${ingress.port}`;
});

afterAll(async () => {
  await projectors.stopAll();
  await ingress?.stop();
  await mongo.close();
});

/** One signed delivery per change, in the order given: Meta's time says which is latest, not arrival. */
async function deliver(changes: { change: FieldChangeBody; time: number; wabaId?: string }[]) {
  for (const { change, time, wabaId } of changes) {
    const answer = await postWebhook(baseUrl, fieldDelivery(change, { time, wabaId }), { appSecret });
    expect([answer.status, answer.body]).toEqual([200, "EVENT_RECEIVED"]);
  }
}

it("fills accounts and phone_numbers from signed deliveries, and answers which accounts are restricted now in one query", async () => {
  // Later changes delivered first, one delivery twice.
  await deliver([
    { change: restriction("RESTRICTED_BIZ_INITIATED_MESSAGING", farFuture), time: 2000 },
    { change: restriction("RESTRICTED_BIZ_INITIATED_MESSAGING", longPast), time: 1000 },
    { change: accountUpdate.violation, time: 900 },
    { change: accountAlert.deferred, time: 1500 },
    { change: businessCapability.tier, time: 1600 },
    { change: accountUpdate.restricted, time: 1000, wabaId: expiredWaba },
    { change: accountUpdate.banned, time: 1000, wabaId: laterWaba },
    { change: phoneNumberName.rejected, time: 2000 },
    { change: phoneNumberName.approved, time: 1000 },
    { change: phoneNumberQuality.flaggedLegacy, time: 1500 },
    { change: phoneNumberQuality.flaggedLegacy, time: 1500 },
  ]);
  await projectors.start([accountProjection, phoneNumberProjection] as Projection<never>[], prefix, database);

  const db = mongo.db(database);
  const accounts = db.collection<AccountDocument>("accounts");
  await eventually(
    () => accounts.find({}).toArray(),
    (documents) => documents.length === 3 && documents.find((d) => d._id === WABA_ID)?.history.length === 5,
    60_000,
  );
  const phoneNumbers = db.collection<PhoneNumberDocument>("phone_numbers");
  const phone = await eventually(
    () => phoneNumbers.findOne({ _id: DISPLAY_PHONE_NUMBER }),
    (document) => document?.history.length === 3,
    60_000,
  );

  // The one query of docs/read-models.md, served by the index {"restriction.until": 1}.
  const restrictedNow = await accounts
    .find({ "restriction.until": { $gt: new Date() } }, { projection: { "restriction.until": 1 } })
    .sort({ "restriction.until": 1 })
    .toArray();
  expect(restrictedNow).toEqual([{ _id: WABA_ID, restriction: { until: new Date(farFuture * 1000) } }]);

  const account = (await accounts.findOne({ _id: WABA_ID }))!;
  expect(account).toMatchObject({
    wabaId: WABA_ID,
    restriction: {
      until: new Date(farFuture * 1000),
      restrictions: [{ restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING", at: new Date(2000_000) }],
    },
    violation: { violationType: "SCAM", at: new Date(900_000) },
    activeAlerts: [{ type: "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED", severity: "WARNING" }],
    capability: { maxDailyConversationsPerBusiness: "TIER_UNLIMITED", maxDailyConversationPerPhone: -1 },
    updatedAt: new Date(2000_000),
  });
  expect(account.history.map((change) => change.at.getTime() / 1000)).toEqual([900, 1000, 1500, 1600, 2000]);
  expect(await accounts.findOne({ _id: laterWaba })).toMatchObject({
    ban: { state: "DISABLE", date: "June 30, 2026" },
    restriction: null,
  });
  expect(await accounts.findOne({ _id: expiredWaba })).toMatchObject({
    restriction: { until: new Date(longPast * 1000) },
  });

  expect(phone).toMatchObject({
    wabaId: WABA_ID,
    nameReview: { decision: "REJECTED", rejectionReason: "NAME_FORMAT_UNACCEPTABLE", at: new Date(2000_000) },
    verifiedName: "Lucky Shrub",
    messagingLimit: { tier: "TIER_1K", previousTier: "TIER_10K", event: "FLAGGED" },
    updatedAt: new Date(2000_000),
  });
  expect(phone!.history.map((change) => change.field)).toEqual([
    "phone_number_name_update",
    "phone_number_quality_update",
    "phone_number_name_update",
  ]);
});
