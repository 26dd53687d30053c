/**
 * The decoded record as an event when every named string field is present and not empty and its
 * `timestamp` is a positive time; otherwise the reason it is not (the first problem found).
 */
export function requireEventFields<E>(
  record: unknown,
  stringFields: readonly (keyof E & string)[],
): E | string {
  if (typeof record !== "object" || record === null) return "record is not an object";
  for (const field of stringFields) {
    const value = (record as Record<string, unknown>)[field];
    if (typeof value !== "string" || value.length === 0) return `field ${field} is missing or empty`;
  }
  const timestamp = (record as { timestamp?: unknown }).timestamp;
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp) || timestamp <= 0)
    return "timestamp is not a positive time";
  return record as E;
}
