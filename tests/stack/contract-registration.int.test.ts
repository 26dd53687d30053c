import { registryRequest } from "../../contracts/schema-registry-client";
import { ContractSerde } from "../../contracts/serde";
import { topicIds, valueSubject } from "../../contracts/topics";
import { stackRegistry } from "../support/stack-clients";

// The ingress and both projectors start together (`make up`) and register the same new subjects at
// once. Each must come up with the same schema ids and leave every subject BACKWARD_TRANSITIVE.
const env = process.env;
const topics = topicIds;

describe("contract registration by services starting together", () => {
  it("gives every service the same schema ids and leaves each subject BACKWARD_TRANSITIVE", async () => {
    const prefix = `${env.TOPIC_PREFIX}together-${Date.now().toString(36)}.`;
    const services = Array.from({ length: 6 }, () => new ContractSerde(stackRegistry(), prefix));

    const outcomes = await Promise.allSettled(services.map((serde) => serde.register(topics)));

    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    for (const topic of topics) {
      const ids = new Set(services.map((serde) => serde.schemaId(topic)));
      expect(ids.size).toBe(1);
      const response = await registryRequest(stackRegistry(), `/config/${valueSubject(topic, prefix)}`);
      expect((JSON.parse(response.body) as { compatibilityLevel: string }).compatibilityLevel).toBe(
        "BACKWARD_TRANSITIVE",
      );
    }
  }, 60_000);
});
