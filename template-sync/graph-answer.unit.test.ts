import { decideAnswer, defaultBackoff, type GraphAnswer } from "./graph-answer";

const now = 1_765_000_000_000;
const answer = (status: number, body: unknown, headers: GraphAnswer["headers"] = {}): GraphAnswer => ({
  status,
  headers,
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const graphError = (code: number, extra: Record<string, unknown> = {}) => ({
  error: { message: `(#${code}) error`, type: "OAuthException", code, fbtrace_id: "A1", ...extra },
});

describe("decideAnswer", () => {
  it("uses a page of templates", () => {
    expect(decideAnswer(answer(200, { data: [{ id: "1" }], paging: {} }), 1, now)).toEqual({
      kind: "page",
      page: { templates: [{ id: "1" }], next: null },
    });
    expect(decideAnswer(answer(200, "<html>"), 1, now)).toMatchObject({ kind: "stop", tokenProblem: false });
  });

  it("stops on an expired or invalid token (code 190) whatever the HTTP status", () => {
    for (const status of [400, 401, 403])
      expect(decideAnswer(answer(status, graphError(190, { error_subcode: 463 })), 1, now)).toEqual({
        kind: "stop",
        tokenProblem: true,
        why:
          "the access token is expired or invalid (HTTP " + status + ", Graph error 190/463: (#190) error)",
      });
  });

  it("retries throttling after Retry-After, in seconds or as a date", () => {
    expect(decideAnswer(answer(429, graphError(4), { "retry-after": "7" }), 1, now)).toMatchObject({
      kind: "retry",
      waitMs: 7_000,
    });
    const date = new Date(now + 30_000).toUTCString();
    expect(decideAnswer(answer(429, "", { "retry-after": date }), 1, now)).toMatchObject({
      kind: "retry",
      waitMs: 30_000,
    });
  });

  it("retries every throttling code, even with HTTP 400, after estimated_time_to_regain_access", () => {
    const usage = JSON.stringify({
      "102290129340398": [
        { type: "whatsapp_business_management", call_count: 100, estimated_time_to_regain_access: 2 },
      ],
    });
    for (const code of [4, 17, 80007, 80008, 130429])
      expect(
        decideAnswer(answer(400, graphError(code), { "x-business-use-case-usage": usage }), 1, now),
      ).toMatchObject({ kind: "retry", waitMs: 120_000 });
  });

  it("backs off exponentially on 5xx and throttling without a hint, up to the cap, then gives up", () => {
    const waits = [1, 2, 3, 4, 5].map(
      (attempt) => (decideAnswer(answer(503, "unavailable"), attempt, now) as { waitMs: number }).waitMs,
    );
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(decideAnswer(answer(500, ""), 3, now, { ...defaultBackoff, maxDelayMs: 3_000 })).toMatchObject({
      kind: "retry",
      waitMs: 3_000,
    });
    expect(decideAnswer(answer(502, ""), defaultBackoff.maxAttempts, now)).toMatchObject({
      kind: "stop",
      tokenProblem: false,
      why: "server error (HTTP 502), still after 6 attempts",
    });
  });

  it("stops rather than wait longer than a run waits", () => {
    const usage = JSON.stringify({ "1": [{ estimated_time_to_regain_access: 60 }] });
    expect(
      decideAnswer(answer(400, graphError(80008), { "x-business-use-case-usage": usage }), 1, now),
    ).toMatchObject({
      kind: "stop",
      why: expect.stringContaining("Meta asks to wait 60 min"),
    });
  });

  it("stops on any other client error, with Meta's code and message", () => {
    expect(decideAnswer(answer(400, graphError(100)), 1, now)).toEqual({
      kind: "stop",
      tokenProblem: false,
      why: "HTTP 400, Graph error 100: (#100) error",
    });
  });
});
