import { timingSafeEqual } from "node:crypto";

export interface HandshakeAnswer {
  status: 200 | 400 | 403;
  body: string;
}

function sameToken(candidate: string, expected: string): boolean {
  const a = Buffer.from(candidate);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time independent of a's length.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}

/**
 * Meta's verification request: GET with hub.mode=subscribe, hub.verify_token and hub.challenge.
 * Echo the challenge when the token is one of ours; 403 otherwise; 400 when parameters are missing.
 */
export function answerHandshake(
  query: Record<string, string | string[] | undefined>,
  verifyTokens: readonly string[],
): HandshakeAnswer {
  const first = (name: string): string | undefined => {
    const value = query[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const mode = first("hub.mode");
  const token = first("hub.verify_token");
  const challenge = first("hub.challenge");
  if (!mode || token === undefined || challenge === undefined) {
    return { status: 400, body: "hub.mode, hub.verify_token and hub.challenge are required" };
  }
  const tokenMatches = verifyTokens.map((expected) => sameToken(token, expected)).some(Boolean);
  if (mode !== "subscribe" || !tokenMatches) return { status: 403, body: "verification refused" };
  return { status: 200, body: challenge };
}
