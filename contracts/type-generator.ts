import type { AvroSchema } from "./schema-files";

/**
 * Derives TypeScript interfaces from Avro schemas, so the types the services use cannot drift from
 * the records on the wire. Output is checked in (contracts/generated/types.ts); a unit test fails
 * when it is stale. Long and timestamp-millis map to number (milliseconds since the epoch).
 */
type AvroType = string | AvroType[] | { type: string; [key: string]: unknown };

interface AvroField {
  name: string;
  type: AvroType;
  doc?: string;
}

interface AvroRecord {
  type: "record";
  name: string;
  doc?: string;
  fields: AvroField[];
}

const primitives: Record<string, string> = {
  null: "null",
  boolean: "boolean",
  int: "number",
  long: "number",
  float: "number",
  double: "number",
  bytes: "Buffer",
  string: "string",
};

function shortName(name: string): string {
  return name.split(".").pop()!;
}

export function renderContractTypes(schemas: AvroSchema[]): string {
  const interfaces = new Map<string, string>();

  const typeOf = (type: AvroType): string => {
    if (typeof type === "string") return primitives[type] ?? shortName(type);
    if (Array.isArray(type)) return type.map(typeOf).join(" | ");
    switch (type.type) {
      case "record":
        renderRecord(type as unknown as AvroRecord);
        return shortName((type as unknown as AvroRecord).name);
      case "array":
        return `Array<${typeOf(type.items as AvroType)}>`;
      case "map":
        return `Record<string, ${typeOf(type.values as AvroType)}>`;
      case "enum":
        return (type.symbols as string[]).map((symbol) => JSON.stringify(symbol)).join(" | ");
      default:
        return primitives[type.type] ?? shortName(type.type);
    }
  };

  // One interface per short name: a record that several schemas define (WhatsAppError, the message
  // content records) must have the same fields everywhere, or the type would describe one of them only.
  const signatures = new Map<string, string>();
  const renderRecord = (record: AvroRecord): void => {
    const name = shortName(record.name);
    const rendered = () => record.fields.map((field) => `  ${field.name}: ${typeOf(field.type)};`);
    if (interfaces.has(name)) {
      const signature = signatures.get(name);
      // Unknown while the record is still rendering (a record nested in itself).
      if (signature !== undefined && signature !== rendered().join("\n"))
        throw new Error(`record ${name} has different fields in two schemas`);
      return;
    }
    interfaces.set(name, ""); // reserve first: nested records render before their parent finishes
    const lines = rendered();
    signatures.set(name, lines.join("\n"));
    const documented = record.fields.map((field, index) => {
      const doc = field.doc ? `  /** ${field.doc.replace(/\*\//g, "* /")} */\n` : "";
      return `${doc}${lines[index]}`;
    });
    const doc = record.doc ? `/** ${record.doc.replace(/\*\//g, "* /")} */\n` : "";
    interfaces.set(name, `${doc}export interface ${name} {\n${documented.join("\n")}\n}\n`);
  };

  for (const schema of schemas) renderRecord(schema as unknown as AvroRecord);
  const header =
    "// Generated from contracts/schemas/*.avsc by `npm run contracts:types`. Do not edit by hand.\n\n";
  return header + [...interfaces.values()].join("\n");
}
