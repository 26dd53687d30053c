import type { GraphAnswer } from "./graph-answer";

/**
 * The Graph API over fetch: one GET with the token as a bearer token, answered as status, headers and body;
 * `stop` aborts it (with its body) at once.
 */
export async function graphGet(
  url: string,
  accessToken: string,
  { stop, timeoutMs = 30_000 }: { stop?: AbortSignal; timeoutMs?: number } = {},
): Promise<GraphAnswer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: stop ? AbortSignal.any([timeout, stop]) : timeout,
  });
  return {
    status: response.status,
    headers: {
      "retry-after": response.headers.get("retry-after") ?? undefined,
      "x-business-use-case-usage": response.headers.get("x-business-use-case-usage") ?? undefined,
    },
    body: await response.text(),
  };
}
