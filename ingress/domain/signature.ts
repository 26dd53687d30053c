import { createHmac, timingSafeEqual } from "node:crypto";

export type SignatureCheck =
  | { valid: true; secretIndex: number }
  | { valid: false; reason: "missing" | "malformed" | "mismatch" | "no_app_secret" };

const signaturePattern = /^sha256=([0-9a-f]{64})$/i;

/**
 * Checks Meta's X-Hub-Signature-256 (`sha256=` + hex HMAC-SHA256 of the raw body with the app secret)
 * against every currently valid secret (several during a rotation), in constant time per secret.
 * With no secret configured, nothing is valid, and the reason says so.
 */
export function verifySignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecrets: readonly string[],
): SignatureCheck {
  const problem = signatureHeaderProblem(header);
  if (problem) return { valid: false, reason: problem };
  if (appSecrets.length === 0) return { valid: false, reason: "no_app_secret" };
  const received = Buffer.from(signaturePattern.exec(header!.trim())![1]!, "hex");
  let matchedIndex = -1;
  // Every secret is tried, so the time taken does not tell which one matched.
  appSecrets.forEach((secret, index) => {
    const expected = createHmac("sha256", secret).update(rawBody).digest();
    if (timingSafeEqual(expected, received) && matchedIndex < 0) matchedIndex = index;
  });
  return matchedIndex >= 0
    ? { valid: true, secretIndex: matchedIndex }
    : { valid: false, reason: "mismatch" };
}

/** What is wrong with the header itself, before any body is read: missing, malformed, or nothing. */
export function signatureHeaderProblem(header: string | undefined): "missing" | "malformed" | null {
  if (!header) return "missing";
  return signaturePattern.test(header.trim()) ? null : "malformed";
}

/** The header value Meta would send for `rawBody` signed with `appSecret` (tests, load generators). */
export function signBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
}
