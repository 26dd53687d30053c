import { signBody } from "../../ingress/domain/signature";
import { statusPayload } from "../delivery-mix";
import { webhookPath } from "../http-load";
import type { SignedLoad } from "../signed-load";

interface BadRequest {
  label: string;
  method: string;
  body?: Buffer;
  headers: Record<string, string>;
  expected: number;
}

/** The kinds of bad input the ingress must answer clearly without losing anything or dying. */
function badRequests(runId: string, appSecret: string): BadRequest[] {
  const valid = Buffer.from(
    JSON.stringify(
      statusPayload([{ wamid: `wamid.${runId}.bad`, status: "sent", timestamp: 1_750_200_000 }]),
    ),
  );
  const truncated = valid.subarray(0, Math.floor(valid.length / 2));
  const garbage = Buffer.from("\u0000\u00ff not json at all {{{");
  const json = { "content-type": "application/json" };
  return [
    {
      label: "wrong signature",
      method: "POST",
      body: valid,
      headers: { ...json, "x-hub-signature-256": signBody(valid, "not-the-secret") },
      expected: 401,
    },
    { label: "missing signature", method: "POST", body: valid, headers: json, expected: 401 },
    {
      label: "malformed signature",
      method: "POST",
      body: valid,
      headers: { ...json, "x-hub-signature-256": "sha1=abc" },
      expected: 401,
    },
    {
      label: "truncated body, signature of the whole",
      method: "POST",
      body: truncated,
      headers: { ...json, "x-hub-signature-256": signBody(valid, appSecret) },
      expected: 401,
    },
    {
      label: "garbage body, unsigned",
      method: "POST",
      body: garbage,
      headers: { "content-type": "application/octet-stream" },
      expected: 401,
    },
    {
      label: "form body, wrong content type, unsigned",
      method: "POST",
      body: Buffer.from("a=1&b=2"),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      expected: 401,
    },
    { label: "PUT", method: "PUT", body: valid, headers: json, expected: 405 },
    { label: "DELETE", method: "DELETE", headers: {}, expected: 405 },
    { label: "PATCH", method: "PATCH", body: valid, headers: json, expected: 405 },
    { label: "handshake with a wrong token", method: "GET", headers: {}, expected: 403 },
  ];
}

/** What the bad requests were answered: per kind, and those answered otherwise than expected. */
export interface BadRequestAnswers {
  summary: string;
  byLabel: Map<string, number>;
  /** Kinds the run never sent (each must be sent for the scenario to prove anything). */
  missingKinds: string[];
  unexpected: number;
  examples: string[];
}

/**
 * Sends `total` bad requests from 16 workers, every kind in turn; one in 40 is instead a signed broken
 * body, which must be acknowledged and kept (it goes through `load`, so the audit counts it).
 */
export async function sendBadRequests(options: {
  baseUrl: string;
  total: number;
  runId: string;
  appSecret: string;
  refusedRequestIds: string[];
  load: SignedLoad;
}): Promise<BadRequestAnswers> {
  const { baseUrl, total, runId, appSecret, refusedRequestIds, load } = options;
  const kinds = badRequests(runId, appSecret);
  // Oversized bodies (3 MiB + 1) are a few hundred of the 10,000; signed garbage is acknowledged and kept.
  const oversized = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
  const byLabel = new Map<string, number>();
  const examples: string[] = [];
  let unexpected = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      if (i % 40 === 0) {
        const body = Buffer.from(
          i % 80 === 0 ? '{"object":"whatsapp_business_account","entry":[{' : "\u0001garbage",
        );
        load.send({
          kind: "other",
          payload: {},
          effects: { statuses: [], inbound: [], otherChanges: 0 },
          body,
          signature: signBody(body, appSecret),
        });
        byLabel.set(
          "signed broken body (kept, 200)",
          (byLabel.get("signed broken body (kept, 200)") ?? 0) + 1,
        );
        continue;
      }
      const request: BadRequest =
        i % 40 === 1 && i % 120 === 1
          ? {
              label: "oversized body",
              method: "POST",
              body: oversized,
              headers: {
                "content-type": "application/json",
                "x-hub-signature-256": signBody(oversized, appSecret),
              },
              expected: 413,
            }
          : kinds[i % kinds.length]!;
      const url =
        request.method === "GET"
          ? `${baseUrl}${webhookPath}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`
          : `${baseUrl}${webhookPath}`;
      let status: number;
      try {
        const response = await fetch(url, {
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
        });
        await response.arrayBuffer();
        status = response.status;
        const requestId = response.headers.get("x-request-id");
        if (requestId) refusedRequestIds.push(requestId);
      } catch (error) {
        status = -1;
        if (examples.length < 5) examples.push(`${request.label}: ${(error as Error).message}`);
      }
      byLabel.set(request.label, (byLabel.get(request.label) ?? 0) + 1);
      if (status !== request.expected) {
        unexpected++;
        if (examples.length < 5) examples.push(`${request.label}: ${status}, expected ${request.expected}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const summary = `${total} bad requests (${[...byLabel].map(([label, n]) => `${n} ${label}`).join(", ")}), ${unexpected} unexpected answers`;
  const missingKinds = [
    ...kinds.map((k) => k.label),
    "oversized body",
    "signed broken body (kept, 200)",
  ].filter((label) => !byLabel.has(label));
  return { summary, byLabel, missingKinds, unexpected, examples };
}
