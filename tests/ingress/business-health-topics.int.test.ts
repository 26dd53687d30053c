import { topicName } from "../../contracts/topics";
import {
  LARGE_TEMPLATE_ID,
  accountAlert,
  accountUpdate,
  fieldDelivery,
  phoneNumberName,
  templateCategory,
  templateStatus,
  untypeableChanges,
} from "../fixtures/business-health-webhooks";
import { WABA_ID } from "../fixtures/meta-webhooks";
import { useInProcessIngress } from "../support/in-process-ingress";
import { readTopic, type DecodedRecord } from "../support/kafka-records";
import { asPlainRecords, byEventId, decodedByPython } from "../support/python-decoder";
import { postWebhook } from "../support/webhook-client";

// The ingress in-process against the real stack, on topics of its own; the typed template and account
// topics read back twice: by the tests' own Confluent-wire-format reader and by confluent-kafka's
// Python AvroDeserializer (tests/python, installed by `make python-deps`).
const ingress = useInProcessIngress("business-health");
const { prefix, appSecret, lines } = ingress;

/** One delivery with every kind of change below; the rejected template's id is a bare 2^64 - 1. */
function deliveryBody(): Buffer {
  const withoutEvent = untypeableChanges.find(
    ({ reason, change }) => reason === "missing_event" && change.field === "account_update",
  )!;
  const payload = fieldDelivery({
    ...templateStatus.rejected,
    value: { ...templateStatus.rejected.value, message_template_id: "__LARGE_ID__" },
  });
  const entry = (payload.entry as { changes: unknown[] }[])[0]!;
  entry.changes.push(
    templateCategory.announced,
    accountUpdate.restricted,
    phoneNumberName.rejected,
    accountAlert.deferred,
    withoutEvent.change,
  );
  return Buffer.from(JSON.stringify(payload).replace('"__LARGE_ID__"', LARGE_TEMPLATE_ID));
}

it("writes a signed delivery's template and account changes to their topics, decodable from the registry in TypeScript and Python", async () => {
  const answer = await postWebhook(ingress.baseUrl(), deliveryBody(), { appSecret });
  expect([answer.status, answer.body]).toEqual([200, "EVENT_RECEIVED"]);
  const ours = (record: DecodedRecord) =>
    record.value.requestId === answer.requestId || record.value.rawEventId === answer.requestId;

  const templates = (
    await readTopic(topicName("templateEvent", prefix), (records) => records.filter(ours).length >= 2)
  ).filter(ours);
  expect(templates.map(({ key, value }) => [key, value.field, value.templateId]).sort()).toEqual(
    [
      [LARGE_TEMPLATE_ID, "message_template_status_update", LARGE_TEMPLATE_ID],
      ["278077987957091", "template_category_update", "278077987957091"],
    ].sort(),
  );
  const rejected = templates.find(({ key }) => key === LARGE_TEMPLATE_ID)!;
  expect(rejected.value).toMatchObject({
    wabaId: WABA_ID,
    status: { event: "REJECTED", reason: "INVALID_FORMAT", category: "MARKETING" },
  });
  expect(rejected.value.valueJson).toContain(`"message_template_id":${LARGE_TEMPLATE_ID}`);

  const accounts = (
    await readTopic(topicName("accountEvent", prefix), (records) => records.filter(ours).length >= 3)
  ).filter(ours);
  expect(accounts.map(({ key, value }) => [key, value.field]).sort()).toEqual(
    [
      [WABA_ID, "account_update"],
      [WABA_ID, "account_alerts"],
      [WABA_ID, "phone_number_name_update"],
    ].sort(),
  );
  expect(accounts.find(({ value }) => value.field === "account_update")!.value.accountUpdate).toMatchObject({
    event: "ACCOUNT_RESTRICTION",
    restrictions: [
      { restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration: 1641330498000 },
      { restrictionType: "RESTRICTED_ADD_PHONE_NUMBER_ACTION", expiration: 1641330498000 },
    ],
  });

  // Every change stays a business event, the untypeable one included; the raw record counts and names it.
  const business = (
    await readTopic(topicName("businessEvent", prefix), (records) => records.filter(ours).length >= 6)
  ).filter(ours);
  expect(business).toHaveLength(6);
  const raw = (await readTopic(topicName("rawWebhook", prefix), (records) => records.some(ours))).find(ours)!;
  expect(raw.value).toMatchObject({
    businessEventCount: 6,
    templateEventCount: 2,
    accountEventCount: 3,
    untypedCount: 1,
    problem: "1 object(s) became no typed event: entry[0].changes[5].value missing_event",
  });
  const metrics = await (await fetch(`${ingress.operationsUrl()}/metrics`)).text();
  expect(metrics).toMatch(
    /^whatsapp_ingress_objects_untyped_total\{[^}]*field="account_update",reason="missing_event"[^}]*\} 1$/m,
  );
  expect(lines.filter((line) => line.untyped !== undefined)).toEqual([
    expect.objectContaining({
      requestId: answer.requestId,
      untyped: [{ detail: "entry[0].changes[5].value", reason: "missing_event" }],
    }),
  ]);

  // The topics hold this delivery's records only: Python decodes the same values, ids exact.
  expect((await decodedByPython(topicName("templateEvent", prefix), 2)).sort(byEventId)).toEqual(
    asPlainRecords(templates),
  );
  expect((await decodedByPython(topicName("accountEvent", prefix), 3)).sort(byEventId)).toEqual(
    asPlainRecords(accounts),
  );
});
