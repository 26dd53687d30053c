import { readProjectorSettings } from "./projector-settings";

const stack = {
  KAFKA_BROKERS: "127.0.0.1:9092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:8081/apis/ccompat/v7",
  MONGODB_URI: "mongodb://127.0.0.1:27017",
};
const defaults = { port: 3001, consumerGroup: "whatsapp-status-projector" };

it("defaults the consumer group to TOPIC_PREFIX + service name, so prefixed deployments never share a group", () => {
  expect(readProjectorSettings(defaults, { ...stack }).CONSUMER_GROUP).toBe("whatsapp-status-projector");
  expect(readProjectorSettings(defaults, { ...stack, TOPIC_PREFIX: "staging." }).CONSUMER_GROUP).toBe(
    "staging.whatsapp-status-projector",
  );
});

it("keeps an explicit CONSUMER_GROUP as given", () => {
  expect(
    readProjectorSettings(defaults, { ...stack, TOPIC_PREFIX: "staging.", CONSUMER_GROUP: "mine" })
      .CONSUMER_GROUP,
  ).toBe("mine");
});
