import { createHash } from "node:crypto";

/** Hex SHA-256 of the parts joined by U+0000: the deterministic event ids of every derived topic. */
export const sha256Hex = (...parts: string[]): string =>
  createHash("sha256").update(parts.join("\u0000")).digest("hex");

/**
 * A typed change of a template or account field: the same change redelivered by Meta (same WABA,
 * field, entry time and value) gets the same id.
 */
export const typedChangeEventId = (
  topicTag: "template" | "account",
  wabaId: string,
  field: string,
  entryTimeMillis: number | null,
  valueJson: string,
): string =>
  sha256Hex(topicTag, wabaId, field, entryTimeMillis === null ? "" : String(entryTimeMillis), valueJson);
