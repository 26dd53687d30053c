import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { schemaRegistryClientArgs } from "../../contracts/schema-registry-client";
import { stackKafka, stackRegistry } from "../support/stack-clients";

// Proof that the stack's Kafka and schema registry are real: a record in Confluent wire format
// (magic byte 0, 4-byte schema id, Avro body) goes through a real broker and decodes on the way back.
const env = process.env;
const topic = `${env.TOPIC_PREFIX}stack-proof.avro`;

const probeSchema = {
  type: "record",
  name: "StackProbe",
  namespace: "io.whatsappevents.test",
  fields: [
    { name: "id", type: "string" },
    { name: "count", type: "int" },
  ],
};

describe("schema registry and Kafka", () => {
  const kafka = stackKafka("stack-proof");
  const registry = new SchemaRegistry(schemaRegistryClientArgs(stackRegistry()));

  it("registers an Avro schema, produces a Confluent-wire-format record and reads it back decoded", async () => {
    const { id: schemaId } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(probeSchema) },
      { subject: `${topic}-value` },
    );
    expect(schemaId).toBeGreaterThan(0);

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const encoded = await registry.encode(schemaId, { id: "probe-1", count: 42 });
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(schemaId);

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: "probe-1", value: encoded }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}.reader` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: unknown }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no record within 30 s")), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve({ key: message.key!.toString(), value: await registry.decode(message.value!) });
        },
      });
    });
    await consumer.disconnect();

    expect(received).toEqual({ key: "probe-1", value: { id: "probe-1", count: 42 } });
  });
});
