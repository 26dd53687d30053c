import { ConfluentSchemaRegistryValidationError } from "@kafkajs/confluent-schema-registry/dist/errors";
import type { Type } from "avsc";

/** Magic byte 0 and the schema id as a big-endian int32, before the Avro body. */
const headerBytes = 5;
/** Largest record written through the shared scratch buffer; a larger one is encoded in a buffer of its own. */
const scratchLimitBytes = 1 << 20;

let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * A value in Confluent wire format: magic byte, schema id, Avro body. The body is written into a shared
 * scratch buffer and copied out with Buffer.allocUnsafe, which takes small records from Node's pool:
 * avsc's toBuffer allocates a zero-filled ArrayBuffer of its own per record, a cost that grows with the
 * records alive at once (a delivery of 100 statuses is 101 records). Throws the registry library's
 * validation error, with the invalid paths, for a value its type refuses.
 */
export function encodeConfluentWire(type: Type, schemaId: number, value: unknown): Buffer {
  try {
    let end = writeInto(scratch, type, schemaId, value);
    if (end < 0) {
      const needed = scratch.length - end;
      if (needed > scratchLimitBytes) {
        const own = Buffer.allocUnsafe(needed);
        writeInto(own, type, schemaId, value);
        return own;
      }
      scratch = Buffer.allocUnsafeSlow(Math.max(needed, 2 * scratch.length));
      end = writeInto(scratch, type, schemaId, value);
    }
    const record = Buffer.allocUnsafe(end);
    scratch.copy(record, 0, 0, end);
    return record;
  } catch (error) {
    if (error instanceof ConfluentSchemaRegistryValidationError) throw error;
    const paths: string[][] = [];
    type.isValid(value, { errorHook: (path) => paths.push(path) });
    throw new ConfluentSchemaRegistryValidationError(error, paths);
  }
}

/** Writes the header and body from the start of `buffer`: the end, or minus the bytes missing. */
function writeInto(buffer: Buffer, type: Type, schemaId: number, value: unknown): number {
  buffer[0] = 0;
  buffer.writeInt32BE(schemaId, 1);
  return type.encode(value, buffer, headerBytes);
}
