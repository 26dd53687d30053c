/** Names the first required string field that is missing or empty in a decoded record, if any. */
export function missingStringField(record: unknown, fields: readonly string[]): string | null {
  if (typeof record !== "object" || record === null) return "record is not an object";
  for (const field of fields) {
    const value = (record as Record<string, unknown>)[field];
    if (typeof value !== "string" || value.length === 0) return `field ${field} is missing or empty`;
  }
  return null;
}
