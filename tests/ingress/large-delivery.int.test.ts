import { topicName } from "../../contracts/topics";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { createLogger } from "../../runtime/logger";
import { statusDelivery } from "../fixtures/meta-webhooks";
import { readTopic, type DecodedRecord } from "../support/kafka-records";
import { postWebhook } from "../support/webhook-client";

// The largest delivery Meta can send, by record count, through the ingress in-process against the real
// stack; topics of its own, so that other tests do not read its tens of thousands of records.
const prefix = `${process.env.TOPIC_PREFIX}large.`;
const appSecret = "int-large-secret";
let ingress: RunningIngress;
let baseUrl: string;

beforeAll(async () => {
  const settings = readIngressSettings({
    ...process.env,
    TOPIC_PREFIX: prefix,
    PORT: "0",
    OPS_PORT: "0",
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "int-large-token",
    LOG_LEVEL: "silent",
  });
  ingress = await startIngress(settings, createLogger("whatsapp-ingress-test", "silent"));
  baseUrl = `http://127.0.0.1:${ingress.port}`;
});

afterAll(async () => {
  await ingress?.stop();
});

it("writes a delivery of 67,900 statuses (3.1 MB): every status record in Kafka before it answers 200", async () => {
  // As short as a status can be, to get as many as possible under the 3 MiB limit.
  const statuses = Array.from({ length: 67_900 }, (_, i) => ({
    id: `w${i.toString(36)}`,
    status: "read",
    timestamp: "1",
  }));
  const body = Buffer.from(JSON.stringify(statusDelivery(statuses)));
  expect(body.length).toBeLessThanOrEqual(3 * 1024 * 1024);
  const answer = await postWebhook(baseUrl, body, { appSecret });
  expect(answer.status).toBe(200);

  const isOurs = (record: DecodedRecord) => record.value.requestId === answer.requestId;
  const raw = await readTopic(topicName("rawWebhook", prefix), (records) => records.some(isOurs));
  expect(raw.find(isOurs)?.value.statusCount).toBe(67_900);
  // The status records of this delivery (the raw record's request id is their rawEventId), each wamid once.
  const ofThisDelivery = (record: DecodedRecord) => record.value.rawEventId === answer.requestId;
  // Counted as they arrive: filtering every record read so far at each new one is quadratic in 67,900.
  let checked = 0;
  let found = 0;
  const records = await readTopic(
    topicName("messageStatus", prefix),
    (all) => {
      for (; checked < all.length; checked++) if (ofThisDelivery(all[checked]!)) found++;
      return found >= 67_900;
    },
    120_000,
  );
  const wamids = new Set(records.filter(ofThisDelivery).map((record) => record.value.wamid as string));
  expect(wamids.size).toBe(67_900);
  expect(wamids.has(`w${(67_899).toString(36)}`)).toBe(true);
});
