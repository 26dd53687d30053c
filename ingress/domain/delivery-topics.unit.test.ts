import { deliveryTopics, topicContracts } from "../../contracts/topics";
import {
  envelope,
  messagesChange,
  otherFieldChanges,
  statusObject,
  wamid,
} from "../../tests/fixtures/meta-webhooks";
import { parseDelivery } from "./delivery-parser";
import { recordsByTopic } from "./delivery-topics";

describe("recordsByTopic", () => {
  const delivery = parseDelivery({
    requestId: "request-1",
    receivedAt: 1,
    body: Buffer.from(
      JSON.stringify(
        envelope([
          messagesChange({
            statuses: [
              statusObject(wamid("a"), "sent", 1750263774),
              statusObject(wamid("b"), "read", 1750263775),
            ],
          }),
          otherFieldChanges[0]!,
        ]),
      ),
    ),
    signatureHeader: "sha256=00",
    contentType: "application/json",
  });

  it("sends each part of the delivery to the topic the catalogue names for it", () => {
    const byTopic = Object.fromEntries(
      recordsByTopic(delivery).map(({ topic, records }) => [topic, records]),
    );
    expect(byTopic).toEqual({
      rawWebhook: [delivery.raw],
      messageStatus: delivery.statuses,
      inboundMessage: [],
      businessEvent: delivery.businessEvents,
      templateEvent: delivery.templateEvents,
      accountEvent: [],
      businessAppMessage: [],
      callEvent: [],
      groupEvent: [],
      userPreference: [],
      paymentStatus: [],
    });
    expect(delivery.templateEvents).toHaveLength(1);
    expect(delivery.statuses).toHaveLength(2);
    expect(delivery.businessEvents).toHaveLength(1);
  });

  it("lists every topic the ingress writes, raw first, and never the dead-letter topic", () => {
    expect(recordsByTopic(delivery).map(({ topic }) => topic)).toEqual(
      deliveryTopics.map(({ topic }) => topic),
    );
    expect(deliveryTopics[0]?.topic).toBe("rawWebhook");
    expect(deliveryTopics.map(({ topic }) => topic)).not.toContain("deadLetter");
    expect(topicContracts.deadLetter.deliveryPart).toBeNull();
  });
});
