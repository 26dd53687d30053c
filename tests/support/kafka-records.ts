import { Type } from "avsc";
import type { IHeaders } from "kafkajs";
import { registryRequest } from "../../contracts/schema-registry-client";
import { stackKafka, stackRegistry } from "./stack-clients";

/** A record as a downstream team reads it: key, headers, and the value decoded by its registry schema. */
export interface DecodedRecord<T = Record<string, unknown>> {
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  schemaId: number;
  value: T;
}

const writerSchemas = new Map<number, Type>();

/**
 * Decodes Confluent wire format by hand, the way any consumer in any language would: magic byte 0,
 * 4-byte big-endian schema id, then Avro binary written with the schema the registry has under that id.
 */
export async function decodeConfluentWireFormat(
  buffer: Buffer,
): Promise<{ schemaId: number; value: Record<string, unknown> }> {
  if (buffer[0] !== 0) throw new Error(`magic byte is ${buffer[0]}, not 0`);
  const schemaId = buffer.readInt32BE(1);
  let type = writerSchemas.get(schemaId);
  if (!type) {
    const response = await registryRequest(stackRegistry(), `/schemas/ids/${schemaId}`);
    if (response.status !== 200) throw new Error(`registry has no schema ${schemaId}: ${response.status}`);
    const { schema } = JSON.parse(response.body) as { schema: string };
    type = Type.forSchema(JSON.parse(schema));
    writerSchemas.set(schemaId, type);
  }
  return { schemaId, value: type.fromBuffer(buffer.subarray(5)) as Record<string, unknown> };
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

/**
 * Reads a topic from the beginning until `isDone(records)` holds or `timeoutMs` passes, then returns
 * everything read. A fresh consumer group each call, so nothing is shared between reads.
 */
export async function readTopic<T = Record<string, unknown>>(
  topic: string,
  isDone: (records: DecodedRecord<T>[]) => boolean,
  timeoutMs = 30_000,
): Promise<DecodedRecord<T>[]> {
  const kafka = stackKafka("test-reader");
  const consumer = kafka.consumer({
    groupId: `test-reader-${Date.now()}-${Math.random().toString(16).slice(2)}`,
  });
  const records: DecodedRecord<T>[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const { schemaId, value } = await decodeConfluentWireFormat(message.value!);
          records.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            headers: headersToStrings(message.headers),
            schemaId,
            value: value as T,
          });
          if (isDone(records)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
