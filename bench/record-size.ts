import avro from "avsc";
import { topicSchema, type TopicId } from "../contracts/topics";
import { parseDelivery } from "../ingress/domain/delivery-parser";
import { recordsByTopic } from "../ingress/domain/delivery-topics";
import type { SignedDelivery } from "./delivery-mix";

/** Mean size of the records the ingress writes for these deliveries (Avro + 5-byte wire header). */
export function meanRecordBytes(deliveries: readonly SignedDelivery[]): {
  bytes: number;
  perDelivery: number;
} {
  const types = new Map<TopicId, avro.Type>();
  const size = (topic: TopicId, value: unknown) => {
    if (!types.has(topic)) types.set(topic, avro.Type.forSchema(topicSchema(topic) as avro.Schema));
    return types.get(topic)!.toBuffer(value).length + 5;
  };
  let bytes = 0;
  let records = 0;
  for (const delivery of deliveries) {
    const parsed = parseDelivery({
      requestId: "00000000-0000-0000-0000-000000000000",
      receivedAt: Date.now(),
      body: delivery.body,
      signatureHeader: delivery.signature,
      contentType: "application/json",
    });
    for (const { topic, records: topicRecords } of recordsByTopic(parsed))
      for (const record of topicRecords) {
        bytes += size(topic, record.value);
        records++;
      }
  }
  return { bytes: Math.round(bytes / records), perDelivery: records / deliveries.length };
}
