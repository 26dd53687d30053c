import { topicName, type TopicId } from "../../contracts/topics";
import {
  BSUID_ONLY_CUSTOMER,
  CALL_ID,
  GROUP_ID,
  GROUP_MESSAGE_ID,
  PAYMENT_REFERENCE_ID,
  customerChannelDeliveries,
  customerChannelEventCounts,
  largeHistoryChunk,
  statusOfAnotherType,
} from "../fixtures/customer-channel-webhooks";
import { CUSTOMER_BSUID } from "../fixtures/identity-webhooks";
import { PHONE_NUMBER_ID } from "../fixtures/meta-webhooks";
import { useInProcessIngress } from "../support/in-process-ingress";
import { readTopic, type DecodedRecord } from "../support/kafka-records";
import { asPlainRecords, byEventId, decodedByPython } from "../support/python-decoder";
import { postWebhook } from "../support/webhook-client";

// The ingress in-process against the real stack, on topics of its own: every customer-channel fixture
// posted signed, each new topic read back by the tests' Confluent-wire-format reader and by
// confluent-kafka's Python AvroDeserializer (tests/python, installed by `make python-deps`).
const ingress = useInProcessIngress("customer-channels");
const { prefix, appSecret, lines } = ingress;

const expected: Partial<Record<TopicId, number>> = customerChannelEventCounts;

const requestIds = new Set<string>();
const ours = (record: DecodedRecord) =>
  requestIds.has(String(record.value.rawEventId ?? record.value.requestId));
const readOurs = async (topic: TopicId, count: number, timeoutMs?: number) =>
  (
    await readTopic(topicName(topic, prefix), (records) => records.filter(ours).length >= count, timeoutMs)
  ).filter(ours);

it("writes every customer-channel shape to its topic, decodable from the registry in TypeScript and Python", async () => {
  for (const body of [...Object.values(customerChannelDeliveries), statusOfAnotherType]) {
    const answer = await postWebhook(ingress.baseUrl(), body, { appSecret });
    expect([answer.status, answer.body]).toEqual([200, "EVENT_RECEIVED"]);
    requestIds.add(answer.requestId!);
  }

  const read = Object.fromEntries(
    await Promise.all(
      Object.entries(expected).map(async ([topic, count]) => [
        topic,
        await readOurs(topic as TopicId, count),
      ]),
    ),
  ) as Record<keyof typeof expected, DecodedRecord[]>;
  for (const [topic, count] of Object.entries(expected))
    expect({ topic, count: read[topic as TopicId]!.length }).toEqual({ topic, count });

  const businessApp = read.businessAppMessage!;
  expect(new Set(businessApp.map(({ value }) => value.source))).toEqual(
    new Set(["echo", "history", "history_media"]),
  );
  expect(
    businessApp.find(({ value }) => value.source === "echo" && value.customerWaId === null)!,
  ).toMatchObject({ key: `${PHONE_NUMBER_ID}:${BSUID_ONLY_CUSTOMER}`, value: { direction: "outbound" } });
  expect(read.callEvent!.filter(({ key }) => key === CALL_ID).map(({ value }) => value.event)).toEqual(
    expect.arrayContaining([
      "connect",
      "terminate",
      "call_recording_available",
      "call_transcription_available",
    ]),
  );
  expect(read.groupEvent!.every(({ key, value }) => key === value.groupId)).toBe(true);
  expect(read.groupEvent!.filter(({ key }) => key === GROUP_ID)).toHaveLength(11);
  expect(read.userPreference!.map(({ key }) => key).sort()).toEqual(
    [`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`, `${PHONE_NUMBER_ID}:${BSUID_ONLY_CUSTOMER}`].sort(),
  );
  expect(read.paymentStatus!.map(({ key, value }) => [key, value.status]).sort()).toEqual([
    [`${PHONE_NUMBER_ID}:${PAYMENT_REFERENCE_ID}`, "captured"],
    [`${PHONE_NUMBER_ID}:${PAYMENT_REFERENCE_ID}`, "pending"],
  ]);
  const groupStatuses = read.messageStatus!;
  expect(groupStatuses.map(({ key, value }) => [key, value.recipientType])).toEqual(
    Array(3).fill([GROUP_MESSAGE_ID, "group"]),
  );
  expect(new Set(groupStatuses.map(({ value }) => value.eventId)).size).toBe(3);
  expect(
    read
      .inboundMessage!.map(({ value }) => value.groupId ?? (value.interactive as { type: string }).type)
      .sort(),
  ).toEqual([GROUP_ID, "call_permission_reply"].sort());

  // The status of another type is no typed event: counted, logged, kept raw.
  expect(lines.filter((line) => line.untyped !== undefined)).toEqual([
    expect.objectContaining({
      untyped: [{ detail: "entry[0].changes[0].value.statuses[0]", reason: "not_a_message_status" }],
    }),
  ]);
  const raw = await readOurs("rawWebhook", requestIds.size);
  const counted = (name: string) => raw.reduce((sum, { value }) => sum + Number(value[name] ?? 0), 0);
  expect({
    businessAppMessageCount: counted("businessAppMessageCount"),
    callEventCount: counted("callEventCount"),
    groupEventCount: counted("groupEventCount"),
    userPreferenceCount: counted("userPreferenceCount"),
    paymentStatusCount: counted("paymentStatusCount"),
    untypedCount: counted("untypedCount"),
  }).toEqual({
    businessAppMessageCount: 11,
    callEventCount: 9,
    groupEventCount: 12,
    userPreferenceCount: 2,
    paymentStatusCount: 2,
    untypedCount: 1,
  });

  // The new topics, and the two whose schemas gained fields (group ids, call permission replies,
  // participants), hold this test's records only: Python decodes the same values.
  for (const topic of [
    "inboundMessage",
    "messageStatus",
    "businessAppMessage",
    "callEvent",
    "groupEvent",
    "userPreference",
    "paymentStatus",
  ] as const) {
    const records = read[topic]!;
    expect({
      topic,
      decoded: (await decodedByPython(topicName(topic, prefix), records.length)).sort(byEventId),
    }).toEqual({
      topic,
      decoded: asPlainRecords(records),
    });
  }
});

it("takes a history chunk of 5,000 messages in one delivery, each message a record", async () => {
  const body = Buffer.from(JSON.stringify(largeHistoryChunk(5_000)));
  expect(body.length).toBeLessThanOrEqual(3 * 1024 * 1024);
  const answer = await postWebhook(ingress.baseUrl(), body, { appSecret });
  expect(answer.status).toBe(200);
  requestIds.clear();
  requestIds.add(answer.requestId!);
  const records = await readOurs("businessAppMessage", 5_000, 120_000);
  expect(new Set(records.map(({ value }) => value.wamid)).size).toBe(5_000);
  expect(records.every(({ value }) => value.source === "history")).toBe(true);
}, 180_000);
