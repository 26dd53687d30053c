import type { TemplateEvent } from "../contracts/generated/types";
import { firstPageUrl, syncAccount, type SyncAccount, type SyncPorts } from "./account-sync";
import type { GraphAnswer } from "./graph-answer";
import { runSummary, syncAllAccounts } from "./sync-run";
import { SyncStopped } from "./sync-stop";

const baseUrl = "http://127.0.0.1:9999";
const token = "EAAJBsecret-token-123";
const account: SyncAccount = {
  wabaId: "102290129340398",
  accessToken: token,
  apiVersion: "v23.0",
  source: "environment",
};
const page = (ids: string[], next?: string): GraphAnswer => ({
  status: 200,
  headers: {},
  body: JSON.stringify({
    data: ids.map((id) => ({ id, name: `t${id}`, status: "APPROVED" })),
    paging: next ? { next } : {},
  }),
});

/** Ports answering each URL with its queue of answers, recording what the sync did. */
function fakePorts(answers: Record<string, GraphAnswer[]>) {
  const published: TemplateEvent[] = [];
  const requested: string[] = [];
  const slept: number[] = [];
  const lines: string[] = [];
  const ports: SyncPorts = {
    get: async (url, accessToken) => {
      expect(accessToken).toBe(token);
      requested.push(url);
      const answer = answers[url]?.shift();
      if (!answer) throw new Error(`unexpected request ${url}`);
      return answer;
    },
    publish: async (events) => void published.push(...events.map((e) => e.value)),
    sleep: async (ms) => void slept.push(ms),
    now: () => 1_765_000_000_000,
    progress: (line) => void lines.push(line),
  };
  return { ports, published, requested, slept, lines };
}

const first = firstPageUrl(baseUrl, account);

it("follows paging.next until it is absent, an empty page with a next included", async () => {
  const fake = fakePorts({
    [first]: [page(["1", "2"], `${baseUrl}/v23.0/p2`)],
    [`${baseUrl}/v23.0/p2`]: [page([], `${baseUrl}/v23.0/p3`)],
    [`${baseUrl}/v23.0/p3`]: [page(["3"])],
  });
  expect(await syncAccount(account, fake.ports, { baseUrl, runId: "r" })).toEqual({
    wabaId: account.wabaId,
    ok: true,
    templates: 3,
    pages: 3,
  });
  expect(fake.published.map((e) => e.templateId)).toEqual(["1", "2", "3"]);
  expect(first).toBe(
    `${baseUrl}/v23.0/102290129340398/message_templates?fields=id,name,language,status,category,previous_category,quality_score,rejected_reason,components`,
  );
});

it("waits as told and asks again after throttling and a 5xx", async () => {
  const fake = fakePorts({
    [first]: [
      {
        status: 429,
        headers: { "retry-after": "3" },
        body: '{"error":{"code":80008,"message":"too many calls"}}',
      },
      { status: 500, headers: {}, body: "" },
      page(["1"]),
    ],
  });
  expect(await syncAccount(account, fake.ports, { baseUrl, runId: "r" })).toMatchObject({
    ok: true,
    templates: 1,
  });
  expect(fake.slept).toEqual([3_000, 2_000]);
  expect(fake.lines[0]).toContain("throttled");
});

it("stops the account on an expired token, never printing the token", async () => {
  const fake = fakePorts({
    [first]: [page(["1"], `${baseUrl}/v23.0/p2?access_token=${token}`)],
    [`${baseUrl}/v23.0/p2?access_token=${token}`]: [
      {
        status: 400,
        headers: {},
        body: JSON.stringify({
          error: {
            message: `Error validating access token ${token}: Session has expired`,
            type: "OAuthException",
            code: 190,
            error_subcode: 463,
          },
        }),
      },
    ],
  });
  const result = await syncAccount(account, fake.ports, { baseUrl, runId: "r" });
  expect(result).toMatchObject({ ok: false, tokenProblem: true, templates: 1 });
  expect(JSON.stringify([result, fake.lines])).not.toContain(token);
  expect(JSON.stringify(result)).toContain("expired or invalid");
});

it("sends the token to no other host than the Graph API's", async () => {
  const fake = fakePorts({ [first]: [page(["1"], "https://elsewhere.example/v23.0/p2")] });
  expect(await syncAccount(account, fake.ports, { baseUrl, runId: "r" })).toMatchObject({
    ok: false,
    why: `paging.next leads to another host than ${baseUrl}`,
  });
  expect(fake.requested).toEqual([first]);
});

it("retries a network error like a server error", async () => {
  let calls = 0;
  const fake = fakePorts({ [first]: [page(["1"])] });
  const flaky: SyncPorts = {
    ...fake.ports,
    get: async (url, accessToken) => {
      if (calls++ === 0) throw new TypeError("fetch failed");
      return fake.ports.get(url, accessToken);
    },
  };
  expect(await syncAccount(account, flaky, { baseUrl, runId: "r" })).toMatchObject({
    ok: true,
    templates: 1,
  });
  expect(fake.slept).toEqual([1_000]);
});

it("fails the account when paging.next repeats a page or cycles back to one, never asking twice", async () => {
  const repeating = fakePorts({ [first]: [page(["1"], first)] });
  expect(await syncAccount(account, repeating.ports, { baseUrl, runId: "r" })).toMatchObject({
    ok: false,
    why: "paging.next repeats a page already read in this run (after 1 pages)",
    templates: 1,
  });
  const cycling = fakePorts({
    [first]: [page(["1"], `${baseUrl}/v23.0/p2?access_token=${token}`)],
    [`${baseUrl}/v23.0/p2?access_token=${token}`]: [page(["2"], first)],
  });
  const result = await syncAccount(account, cycling.ports, { baseUrl, runId: "r" });
  expect(result).toMatchObject({ ok: false, why: expect.stringContaining("repeats a page"), templates: 2 });
  expect(cycling.requested).toHaveLength(2);
  expect(JSON.stringify(result)).not.toContain(token);
});

it("fails only the account whose paging.next is not a URL; the next account still syncs", async () => {
  const other: SyncAccount = { ...account, wabaId: "102290129340399" };
  const fake = fakePorts({
    [first]: [page(["1"], "not a url")],
    [firstPageUrl(baseUrl, other)]: [page(["2"])],
  });
  const run = await syncAllAccounts(
    { accounts: [account, other], unreadable: [], plaintext: [] },
    fake.ports,
    {
      baseUrl,
      runId: "r",
    },
  );
  expect(run.results).toEqual([
    { wabaId: account.wabaId, ok: false, why: "paging.next is not a URL", tokenProblem: false, templates: 1 },
    { wabaId: other.wabaId, ok: true, templates: 1, pages: 1 },
  ]);
  expect(runSummary(run)[0]).toBe(
    `account ${account.wabaId}: FAILED after 1 templates: paging.next is not a URL`,
  );
});

it("ends the run at once when stopped, neither retrying nor failing the account", async () => {
  const fake = fakePorts({});
  const stopped: SyncPorts = {
    ...fake.ports,
    get: async () => {
      throw new SyncStopped();
    },
  };
  await expect(syncAccount(account, stopped, { baseUrl, runId: "r" })).rejects.toBeInstanceOf(SyncStopped);
  expect(fake.slept).toEqual([]);
});
