import { deliveryTopics, type DeliveryPart, type TopicId } from "../../contracts/topics";
import type { Keyed, ParsedDelivery } from "./delivery-parser";

export interface TopicRecords {
  topic: TopicId;
  records: readonly Keyed<unknown>[];
}

const partRecords = (delivery: ParsedDelivery, part: DeliveryPart): readonly Keyed<unknown>[] =>
  part === "raw" ? [delivery.raw] : delivery[part];

/** The delivery's records by the topic the catalogue sends each part to, every delivery topic listed. */
export function recordsByTopic(delivery: ParsedDelivery): TopicRecords[] {
  return deliveryTopics.map(({ topic, part }) => ({ topic, records: partRecords(delivery, part) }));
}
