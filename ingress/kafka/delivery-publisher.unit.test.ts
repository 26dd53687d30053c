import type { Producer, ProducerBatch, TopicMessages } from "kafkajs";
import type { ContractSerde } from "../../contracts/serde";
import type { TopicId } from "../../contracts/topics";
import { envelope, messagesChange, statusObject, wamid } from "../../tests/fixtures/meta-webhooks";
import { parseDelivery } from "../domain/delivery-parser";
import { DeliveryPublisher, inParts } from "./delivery-publisher";

const records = (topic: string, count: number): TopicMessages => ({
  topic,
  messages: Array.from({ length: count }, (_, i) => ({ key: `${topic}${i}`, value: null })),
});
const keys = (parts: TopicMessages[][]) =>
  parts.map((part) => part.map(({ topic, messages }) => `${topic}:${messages.map((m) => m.key).join(",")}`));

describe("inParts", () => {
  it("keeps a delivery within the limit whole", () => {
    const delivery = [records("raw", 1), records("status", 2)];
    expect(inParts(delivery, 3)).toEqual([delivery]);
  });

  it("cuts a larger delivery into parts of at most the limit, topic by topic, in order", () => {
    expect(keys(inParts([records("raw", 1), records("status", 5), records("business", 1)], 3))).toEqual([
      ["raw:raw0", "status:status0,status1"],
      ["status:status2,status3,status4"],
      ["business:business0"],
    ]);
  });
});

describe("DeliveryPublisher", () => {
  const delivery = parseDelivery({
    requestId: "request-1",
    receivedAt: 1,
    body: Buffer.from(
      JSON.stringify(
        envelope([messagesChange({ statuses: [statusObject(wamid("a"), "sent", 1750263774)] })]),
      ),
    ),
    signatureHeader: "sha256=00",
    contentType: "application/json",
  });
  const publishedTopics = async (topics?: TopicId[]) => {
    const sent: TopicMessages[] = [];
    const producer = { sendBatch: async ({ topicMessages }: ProducerBatch) => sent.push(...topicMessages!) };
    const serde = {
      topic: (topic: TopicId) => `prefix.${topic}`,
      encode: async (_topic: TopicId, value: unknown) => Buffer.from(JSON.stringify(value)),
    };
    const publisher = new DeliveryPublisher(
      producer as unknown as Producer,
      serde as unknown as ContractSerde,
      1000,
      topics,
    );
    const records = await publisher.publish(delivery);
    return { records, topics: sent.map(({ topic, messages }) => `${topic}:${messages.length}`) };
  };

  it("writes the raw record and every derived event by default", async () => {
    expect(await publishedTopics()).toEqual({
      records: 2,
      topics: ["prefix.rawWebhook:1", "prefix.messageStatus:1"],
    });
  });

  it("writes only the topics it is given", async () => {
    expect(await publishedTopics(["messageStatus", "inboundMessage", "businessEvent"])).toEqual({
      records: 1,
      topics: ["prefix.messageStatus:1"],
    });
  });
});
