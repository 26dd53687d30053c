import { ConfluentSchemaRegistryValidationError } from "@kafkajs/confluent-schema-registry/dist/errors";
import { Type } from "avsc";
import { encodeConfluentWire } from "./confluent-wire";
import { topicContracts, topicSchema, type TopicId } from "./topics";

const typeOf = (topic: TopicId) => Type.forSchema(topicSchema(topic) as Parameters<typeof Type.forSchema>[0]);

/** What the registry library writes: magic byte, schema id, then avsc's own toBuffer. */
function reference(type: Type, schemaId: number, value: unknown): Buffer {
  const id = Buffer.alloc(4);
  id.writeInt32BE(schemaId);
  return Buffer.concat([Buffer.from([0]), id, type.toBuffer(value)]);
}

describe("encodeConfluentWire", () => {
  it.each(Object.keys(topicContracts) as TopicId[])(
    "writes the bytes the registry library writes, for random values of %s",
    (topic) => {
      const type = typeOf(topic);
      for (let i = 0; i < 25; i++) {
        const value = type.random();
        const record = encodeConfluentWire(type, 1_000 + i, value);
        expect(record.equals(reference(type, 1_000 + i, value))).toBe(true);
      }
    },
  );

  it("keeps every record its own bytes: the shared scratch buffer is copied out", () => {
    const type = typeOf("rawWebhook");
    const [first, second] = [type.random(), type.random()];
    const firstRecord = encodeConfluentWire(type, 7, first);
    encodeConfluentWire(type, 8, second);
    expect(firstRecord.equals(reference(type, 7, first))).toBe(true);
  });

  it("encodes records larger than the scratch buffer and than its limit", () => {
    const type = typeOf("rawWebhook");
    for (const bodyBytes of [100_000, 3 * 2 ** 20]) {
      const value = { ...(type.random() as object), body: Buffer.alloc(bodyBytes, 7) };
      const record = encodeConfluentWire(type, 42, value);
      expect(record.equals(reference(type, 42, value))).toBe(true);
      expect(encodeConfluentWire(type, 42, { ...value, body: Buffer.from("small") }).length).toBeLessThan(
        1_000,
      );
    }
  });

  it("refuses a value its type refuses with the library's validation error and the invalid paths", () => {
    const type = typeOf("messageStatus");
    const value = { ...(type.random() as object), wamid: 12 };
    let thrown: unknown;
    try {
      encodeConfluentWire(type, 1, value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfluentSchemaRegistryValidationError);
    expect((thrown as ConfluentSchemaRegistryValidationError).paths).toContainEqual(["wamid"]);
  });
});
