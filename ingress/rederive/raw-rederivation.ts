import type { RawWebhookDelivery } from "../../contracts/generated/types";
import { deliveryTopics, type TopicId } from "../../contracts/topics";
import { parseDelivery, type ParsedDelivery, type ReceivedDelivery } from "../domain/delivery-parser";
import { recordsByTopic } from "../domain/delivery-topics";

/** The topics the command writes: every delivery topic but the raw one, which it reads. */
export const rederivedTopics: readonly TopicId[] = deliveryTopics
  .filter(({ part }) => part !== "raw")
  .map(({ topic }) => topic);

/** Why a raw record gives nothing to publish: an empty value, or a body that is not JSON (no parser reads it). */
export type SkipReason = "empty" | "notJson";

export type Rederivation =
  | { kind: "skipped"; reason: SkipReason }
  | {
      kind: "derived";
      /** The delivery as the current parser reads it; its raw part is never published again. */
      delivery: ParsedDelivery;
      /** Derived events by the topic they go to, every rederived topic listed. */
      events: Map<TopicId, number>;
      /** Events the ingress derived when it received the delivery, as its raw record counts them. */
      eventsAtReceipt: number;
    };

/** The delivery as the ingress received it, rebuilt from its raw record. */
export function receivedDeliveryOf(raw: RawWebhookDelivery): ReceivedDelivery {
  return {
    requestId: raw.requestId,
    receivedAt: raw.receivedAt,
    body: raw.body,
    signatureHeader: raw.signatureHeader,
    contentType: raw.contentType,
  };
}

/**
 * Runs a raw record through the current parser. Event ids are deterministic (wamid, status, WABA id and
 * value), and the request id and receipt time come from the record, so an event the ingress published
 * then comes out identical, and projectors collapse it.
 */
export function rederive(raw: RawWebhookDelivery | null): Rederivation {
  if (!raw) return { kind: "skipped", reason: "empty" };
  if (!raw.jsonParsed) return { kind: "skipped", reason: "notJson" };
  const delivery = parseDelivery(receivedDeliveryOf(raw));
  const events = new Map<TopicId, number>();
  for (const { topic, records } of recordsByTopic(delivery))
    if (rederivedTopics.includes(topic)) events.set(topic, records.length);
  return {
    kind: "derived",
    delivery,
    events,
    eventsAtReceipt:
      raw.statusCount +
      raw.inboundCount +
      raw.businessEventCount +
      laterCount(raw.templateEventCount) +
      laterCount(raw.accountEventCount) +
      laterCount(raw.businessAppMessageCount) +
      laterCount(raw.callEventCount) +
      laterCount(raw.groupEventCount) +
      laterCount(raw.userPreferenceCount) +
      laterCount(raw.paymentStatusCount),
  };
}

/** A count the raw schema gained in a later version: absent from records decoded with an earlier one. */
const laterCount = (count: number | undefined): number => count ?? 0;

/** Events of a rederivation, all topics together. */
export const eventCount = (events: ReadonlyMap<TopicId, number>): number =>
  [...events.values()].reduce((sum, count) => sum + count, 0);
