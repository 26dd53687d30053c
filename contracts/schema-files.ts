import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export type AvroSchema = Record<string, unknown> & { name: string; namespace?: string };

/** The .avsc folder, found above this module both from sources (contracts/) and from dist/contracts/. */
function findSchemaDirectory(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, "contracts", "schemas");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(directory) === directory) throw new Error(`contracts/schemas not found above ${start}`);
  }
}

export const schemaDirectory = findSchemaDirectory(__dirname);

/** Reads one schema file (for example `whatsapp.message.status.v1.avsc`). */
export function readSchemaFile(fileName: string, directory = schemaDirectory): AvroSchema {
  return JSON.parse(readFileSync(path.join(directory, fileName), "utf8")) as AvroSchema;
}
