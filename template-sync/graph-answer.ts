import { readTemplatePage, type TemplatePage } from "./graph-templates";

/** An HTTP answer of the Graph API as the adapter hands it over: nothing of the request. */
export interface GraphAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** What to do with an answer: use the page, wait and ask again, or stop the account. */
export type AnswerDecision =
  | { kind: "page"; page: TemplatePage }
  | { kind: "retry"; waitMs: number; why: string }
  | { kind: "stop"; tokenProblem: boolean; why: string };

export interface BackoffPolicy {
  /** Attempts of one page before the account is given up. */
  maxAttempts: number;
  /** First wait without a hint from Meta; doubled each attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A wait Meta asks for beyond this stops the account instead (a one-shot run does not sleep for an hour). */
  maxHintedWaitMs: number;
}

export const defaultBackoff: BackoffPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxHintedWaitMs: 15 * 60_000,
};

/** Graph error codes of throttling: app, user, WABA and business-use-case limits, Cloud API throughput. */
const throttlingCodes = new Set([4, 17, 32, 613, 80007, 80008, 130429]);
const expiredOrInvalidToken = 190;

interface GraphError {
  code: number | null;
  subcode: number | null;
  type: string | null;
  message: string | null;
}

function graphErrorOf(body: string): GraphError | null {
  try {
    const parsed = JSON.parse(body) as { error?: Record<string, unknown> };
    const error = parsed?.error;
    if (typeof error !== "object" || error === null) return null;
    const number = (value: unknown) => (typeof value === "number" ? value : null);
    return {
      code: number(error.code),
      subcode: number(error.error_subcode),
      type: typeof error.type === "string" ? error.type : null,
      message: typeof error.message === "string" ? error.message : null,
    };
  } catch {
    return null;
  }
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from `now`. */
function retryAfterMs(value: string | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The longest estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage, in milliseconds. */
function regainAccessMs(value: string | undefined): number | null {
  if (!value) return null;
  try {
    const usage = JSON.parse(value) as Record<string, unknown>;
    let longest: number | null = null;
    for (const entries of Object.values(usage))
      for (const entry of Array.isArray(entries) ? entries : []) {
        const minutes = (entry as { estimated_time_to_regain_access?: unknown })
          ?.estimated_time_to_regain_access;
        if (typeof minutes === "number" && minutes > 0) longest = Math.max(longest ?? 0, minutes * 60_000);
      }
    return longest;
  } catch {
    return null;
  }
}

const describe = (answer: GraphAnswer, error: GraphError | null): string =>
  error
    ? `HTTP ${answer.status}, Graph error ${error.code ?? "?"}${error.subcode !== null ? `/${error.subcode}` : ""}${error.message ? `: ${error.message}` : ""}`
    : `HTTP ${answer.status}`;

/**
 * Pure: what to do with the answer to the `attempt`-th request (1-based) of one page. Throttling (HTTP
 * 429 or a throttling code) and 5xx are retried after Meta's hint (Retry-After,
 * estimated_time_to_regain_access) or an exponential backoff; an expired or invalid token (code 190,
 * whatever the HTTP status) and any other error stop the account.
 */
export function decideAnswer(
  answer: GraphAnswer,
  attempt: number,
  now: number,
  policy: BackoffPolicy = defaultBackoff,
): AnswerDecision {
  const error = answer.status === 200 ? null : graphErrorOf(answer.body);
  if (answer.status === 200) {
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      body = null;
    }
    const page = readTemplatePage(body);
    if (page) return { kind: "page", page };
    return { kind: "stop", tokenProblem: false, why: "HTTP 200 without a data array: not a templates page" };
  }
  if (error?.code === expiredOrInvalidToken)
    return {
      kind: "stop",
      tokenProblem: true,
      why: `the access token is expired or invalid (${describe(answer, error)})`,
    };
  const throttled = answer.status === 429 || (error?.code !== null && throttlingCodes.has(error?.code ?? -1));
  if (!throttled && answer.status < 500)
    return { kind: "stop", tokenProblem: false, why: describe(answer, error) };
  const why = `${throttled ? "throttled" : "server error"} (${describe(answer, error)})`;
  if (attempt >= policy.maxAttempts)
    return { kind: "stop", tokenProblem: false, why: `${why}, still after ${attempt} attempts` };
  const hinted = Math.max(
    retryAfterMs(answer.headers["retry-after"], now) ?? 0,
    regainAccessMs(answer.headers["x-business-use-case-usage"]) ?? 0,
  );
  if (hinted > policy.maxHintedWaitMs)
    return {
      kind: "stop",
      tokenProblem: false,
      why: `${why}: Meta asks to wait ${Math.ceil(hinted / 60_000)} min, more than the ${Math.round(policy.maxHintedWaitMs / 60_000)} min this run waits`,
    };
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { kind: "retry", waitMs: hinted > 0 ? hinted : backoff, why };
}
