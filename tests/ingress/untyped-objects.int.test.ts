import { topicName, type TopicId } from "../../contracts/topics";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { untypedObjects } from "../fixtures/identity-webhooks";
import { WABA_ID, wamid } from "../fixtures/meta-webhooks";
import { recordingLogger } from "../support/http-harness";
import { readTopic, type DecodedRecord } from "../support/kafka-records";
import { stackKafka } from "../support/stack-clients";
import { postWebhook } from "../support/webhook-client";

// The ingress in-process against the real stack, on topics of its own: everything in them is this
// file's, so a topic's record count is what the deliveries below wrote there.
const prefix = `${process.env.TOPIC_PREFIX}untyped.`;
const appSecret = "int-untyped-secret";
const where = "entry[0].changes[0].value";
const { logger, lines } = recordingLogger();
let ingress: RunningIngress;
let baseUrl: string;
let operationsUrl: string;

beforeAll(async () => {
  const settings = readIngressSettings({
    ...process.env,
    TOPIC_PREFIX: prefix,
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "int-untyped-token",
  });
  ingress = await startIngress(settings, logger);
  baseUrl = `http://127.0.0.1:${ingress.port}`;
  operationsUrl = `http://127.0.0.1:${ingress.operationsPort}`;
});

afterAll(async () => {
  await ingress?.stop();
});

/** Records in the topic: the sum of its partitions' high watermarks (nothing is ever deleted). */
async function recordCount(topic: TopicId): Promise<number> {
  const admin = stackKafka("test-untyped-objects").admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topicName(topic, prefix));
    return offsets.reduce((sum, { high }) => sum + Number(high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The value of each series of a counter on /metrics, by its labels as written there. */
async function scrapedCounter(name: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${operationsUrl}/metrics`)).text();
  const series = text
    .split("\n")
    .map((line) => line.match(new RegExp(`^${name}\\{(.*)\\} (\\S+)$`)))
    .filter((match) => match !== null)
    .map((match): [string, number] => [
      match[1]!
        .split(",")
        .filter((label) => !label.startsWith("service="))
        .join(","),
      Number(match[2]),
    ]);
  return Object.fromEntries(series);
}

it("answers 200 to a delivery with untyped objects, writes the typed ones, and names and counts the others", async () => {
  const goodId = wamid("int-untyped-good");
  const hologramId = wamid("int-untyped-hologram");
  const payload = untypedObjects({ goodId, hologramId });
  const answer = await postWebhook(baseUrl, payload, { appSecret });
  expect([answer.status, answer.body]).toEqual([200, "EVENT_RECEIVED"]);
  const ours = (record: DecodedRecord) =>
    record.value.requestId === answer.requestId || record.value.rawEventId === answer.requestId;

  const raw = (await readTopic(topicName("rawWebhook", prefix), (records) => records.some(ours))).find(ours)!;
  expect(raw.key).toBe(WABA_ID);
  expect(raw.value).toMatchObject({
    shapeRecognized: true,
    statusCount: 0,
    inboundCount: 2,
    businessEventCount: 1,
    untypedCount: 3,
  });
  expect(raw.value.problem).toBe(
    `3 object(s) became no typed event: ${where}.statuses[0] missing_id; ` +
      `${where}.messages[0] missing_id; ${where}.messages[1] missing_timestamp`,
  );
  expect((raw.value.body as Buffer).toString()).toBe(JSON.stringify(payload));

  const inbound = await readTopic(topicName("inboundMessage", prefix), (records) => records.length >= 2);
  expect(
    inbound.map((record) => [record.value.wamid, record.value.type, record.value.rawEventId]).sort(),
  ).toEqual(
    [
      [goodId, "text", answer.requestId],
      [hologramId, "hologram", answer.requestId],
    ].sort(),
  );
  const business = await readTopic(topicName("businessEvent", prefix), (records) => records.some(ours));
  expect(business.filter(ours).map((record) => record.value.field)).toEqual(["messages"]);
  const change = (payload.entry as { changes: { value: unknown }[] }[])[0]!.changes[0]!;
  expect(JSON.parse(business.find(ours)!.value.valueJson as string)).toEqual(change.value);
  // Acknowledged with its 200: whatever the delivery wrote is there by now, and nothing else is.
  expect(
    await Promise.all((["messageStatus", "inboundMessage", "businessEvent"] as const).map(recordCount)),
  ).toEqual([0, 2, 1]);

  expect(await scrapedCounter("whatsapp_ingress_objects_untyped_total")).toEqual({
    'field="messages",reason="missing_id"': 1,
    'field="messages",reason="missing_timestamp"': 1,
    'field="statuses",reason="missing_id"': 1,
  });
  expect(lines.filter((line) => line.untyped !== undefined)).toEqual([
    expect.objectContaining({
      level: 40,
      requestId: answer.requestId,
      untypedCount: 3,
      untyped: [
        { detail: `${where}.statuses[0]`, reason: "missing_id" },
        { detail: `${where}.messages[0]`, reason: "missing_id" },
        { detail: `${where}.messages[1]`, reason: "missing_timestamp" },
      ],
    }),
  ]);

  // A second delivery adds to the counts by field and reason.
  expect((await postWebhook(baseUrl, untypedObjects(), { appSecret })).status).toBe(200);
  expect(await scrapedCounter("whatsapp_ingress_objects_untyped_total")).toEqual({
    'field="messages",reason="missing_id"': 2,
    'field="messages",reason="missing_timestamp"': 2,
    'field="statuses",reason="missing_id"': 2,
  });
});
