import { hash } from "node:crypto";

/**
 * Hex SHA-256 of the parts joined by U+0000: the deterministic event ids of every derived topic. One-shot
 * `hash`: a delivery takes one per event, and a Hash object per id cost about half as much again.
 */
export const sha256Hex = (...parts: string[]): string => hash("sha256", parts.join("\u0000"), "hex");

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
