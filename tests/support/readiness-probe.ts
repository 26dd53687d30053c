export interface ReadinessAnswer {
  status: number;
  body: { status: string; checks: Record<string, boolean> };
}

/** A service's /readyz, read as its status and body. */
export const readReadiness = async (readyzUrl: string): Promise<ReadinessAnswer> => {
  const response = await fetch(readyzUrl);
  return { status: response.status, body: (await response.json()) as ReadinessAnswer["body"] };
};

/**
 * Polls /readyz (past its one-second cache) until it answers `wanted` (a status, or a test of the
 * answer) or `timeoutMs` pass; returns the last answer, so that a test compares what the service said.
 */
export async function readinessUntil(
  readyzUrl: string,
  wanted: number | ((answer: ReadinessAnswer) => boolean),
  timeoutMs = 30_000,
): Promise<ReadinessAnswer> {
  const accept = typeof wanted === "number" ? (answer: ReadinessAnswer) => answer.status === wanted : wanted;
  const deadline = Date.now() + timeoutMs;
  let answer = await readReadiness(readyzUrl);
  while (!accept(answer) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await readReadiness(readyzUrl);
  }
  return answer;
}
