import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { topicContracts } from "./topics";

interface AsyncApiDocument {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, { payload: { schema: { $ref: string } } }> };
}

describe("contracts/asyncapi.yaml", () => {
  const document = parse(readFileSync(path.join(__dirname, "asyncapi.yaml"), "utf8")) as AsyncApiDocument;

  it("is AsyncAPI 3", () => {
    expect(document.asyncapi).toMatch(/^3\./);
  });

  it("describes every topic of the catalogue, and no other", () => {
    const addresses = Object.values(document.channels)
      .map((channel) => channel.address)
      .sort();
    expect(addresses).toEqual(
      Object.values(topicContracts)
        .map((topic) => topic.name)
        .sort(),
    );
  });

  it("points every message at the schema file its topic uses", () => {
    for (const contract of Object.values(topicContracts)) {
      const channel = Object.values(document.channels).find((c) => c.address === contract.name)!;
      const messageName = Object.keys(channel.messages)[0]!;
      const schemaRef = document.components.messages[messageName]!.payload.schema.$ref;
      expect(schemaRef).toBe(`./schemas/${contract.schemaFile}`);
      expect(existsSync(path.join(__dirname, schemaRef))).toBe(true);
    }
  });
});
