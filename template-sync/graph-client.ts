import type { GraphAnswer } from "./graph-answer";

/** The Graph API over fetch: one GET with the token as a bearer token, answered as status, headers and body. */
export async function graphGet(url: string, accessToken: string, timeoutMs = 30_000): Promise<GraphAnswer> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(timeoutMs),
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
