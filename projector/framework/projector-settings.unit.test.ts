import { SettingsError } from "../../runtime/settings";
import {
  consumerGroupOf,
  projectorProcessName,
  readProjectorSettings,
  selectProjections,
} from "./projector-settings";

const stack = {
  KAFKA_BROKERS: "127.0.0.1:9092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:8081/apis/ccompat/v7",
  MONGODB_URI: "mongodb://127.0.0.1:27017",
};
const status = { name: "status" };
const conversation = { name: "conversation" };
const known = { status, conversation };

it("defaults a projection's consumer group to TOPIC_PREFIX + its service name, so prefixed deployments never share one", () => {
  const settings = readProjectorSettings({ port: 3001 }, { ...stack });
  expect(consumerGroupOf(status, settings)).toBe("whatsapp-status-projector");
  expect(consumerGroupOf(conversation, settings)).toBe("whatsapp-conversation-projector");
  const staging = readProjectorSettings({ port: 3001 }, { ...stack, TOPIC_PREFIX: "staging." });
  expect(consumerGroupOf(status, staging)).toBe("staging.whatsapp-status-projector");
});

it("keeps an explicit CONSUMER_GROUP as given", () => {
  const settings = readProjectorSettings(
    { port: 3001 },
    { ...stack, TOPIC_PREFIX: "staging.", CONSUMER_GROUP: "mine" },
  );
  expect(consumerGroupOf(status, settings)).toBe("mine");
});

describe("selectProjections", () => {
  it("runs PROJECTIONS, else PROJECTION, else every projection", () => {
    expect(selectProjections(known, { PROJECTIONS: "conversation, status" })).toEqual([conversation, status]);
    expect(selectProjections(known, { PROJECTION: "status" })).toEqual([status]);
    expect(selectProjections(known, { PROJECTIONS: "status", PROJECTION: "conversation" })).toEqual([status]);
    expect(selectProjections(known, {})).toEqual([status, conversation]);
  });

  it("refuses an unknown name, naming the variable and the known projections", () => {
    expect(() => selectProjections(known, { PROJECTIONS: "status,templates" })).toThrow(SettingsError);
    expect(() => selectProjections(known, { PROJECTIONS: "status,templates" })).toThrow(
      /PROJECTIONS.*"templates", not status, conversation/,
    );
    expect(() => selectProjections(known, { PROJECTION: " , " })).toThrow(/PROJECTION.*none of/);
  });
});

it("names a process by its projection, or whatsapp-projector when it runs several", () => {
  expect(projectorProcessName([status])).toBe("whatsapp-status-projector");
  expect(projectorProcessName([status, conversation])).toBe("whatsapp-projector");
});
