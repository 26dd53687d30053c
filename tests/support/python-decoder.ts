import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { DecodedRecord } from "./kafka-records";

const python = process.env.TEST_PYTHON ?? path.resolve(__dirname, "../../.tools/python/bin/python");

/**
 * The topic's first `count` records as confluent-kafka's Python AvroDeserializer decodes them through
 * the registry (tests/python/decode_topic.py, installed by `make python-deps`): JSON lines of key and value.
 */
export async function decodedByPython(
  topic: string,
  count: number,
): Promise<{ key: string; value: unknown }[]> {
  if (!existsSync(python)) throw new Error(`no Python at ${python}: run make python-deps`);
  const { stdout } = await promisify(execFile)(
    python,
    [
      path.resolve(__dirname, "../python/decode_topic.py"),
      "--bootstrap",
      process.env.KAFKA_BROKERS!,
      "--registry",
      process.env.SCHEMA_REGISTRY_URL!,
      "--topic",
      topic,
      "--count",
      String(count),
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { key: string; value: unknown });
}

export const byEventId = (a: { value: unknown }, b: { value: unknown }): number =>
  String((a.value as { eventId: string }).eventId).localeCompare(
    String((b.value as { eventId: string }).eventId),
  );

/** Records as the Python reader prints them: key and the value as plain JSON, in event id order. */
export const asPlainRecords = (records: DecodedRecord[]): { key: string | null; value: unknown }[] =>
  records
    .map(({ key, value }) => ({ key, value: JSON.parse(JSON.stringify(value)) as unknown }))
    .sort(byEventId);
