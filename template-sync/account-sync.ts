import type { TemplateEvent } from "../contracts/generated/types";
import { decideAnswer, defaultBackoff, type BackoffPolicy, type GraphAnswer } from "./graph-answer";
import { templateFieldsParam, templateSyncEvent } from "./graph-templates";
import { SyncStopped } from "./sync-stop";

/** One account to sync: its WABA and the token and Graph API version to read it with. */
export interface SyncAccount {
  wabaId: string;
  accessToken: string;
  apiVersion: string;
  /** Where it came from, for messages: a whatsapp_configs document or the environment. */
  source: string;
}

/** What the sync needs from the world; each a thin adapter. */
export interface SyncPorts {
  /** GET `url` with the token as a bearer token. SyncStopped from it, `sleep` or `publish` ends the run. */
  get(url: string, accessToken: string): Promise<GraphAnswer>;
  publish(events: { key: string; value: TemplateEvent }[]): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
  progress(line: string): void;
}

export type AccountResult =
  | { wabaId: string; ok: true; templates: number; pages: number }
  | { wabaId: string; ok: false; why: string; tokenProblem: boolean; templates: number };

/** The first page's URL: every template of the account with the fields the read model keeps. */
export const firstPageUrl = (baseUrl: string, account: SyncAccount): string =>
  `${baseUrl.replace(/\/+$/, "")}/${account.apiVersion}/${encodeURIComponent(account.wabaId)}/message_templates?fields=${templateFieldsParam}`;

/** `text` with every occurrence of the token masked: nothing the sync prints carries it. */
export const withoutToken = (text: string, token: string): string =>
  token.length > 0 ? text.split(token).join("[token]") : text;

/** Pure: why `url` must not be fetched (not a URL, another host, a page already read), or null. */
export function nextPageProblem(url: string, origin: string, fetched: ReadonlySet<string>): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "paging.next is not a URL";
  }
  if (parsed.origin !== origin) return `paging.next leads to another host than ${origin}`;
  if (fetched.has(url))
    return `paging.next repeats a page already read in this run (after ${fetched.size} pages)`;
  return null;
}

/**
 * Reads every page of one account's templates, following paging.next until it is absent, and publishes
 * each page's templates before asking for the next. Waits and retries as `decideAnswer` says; stops the
 * account on a token problem, another error, a next page on another host (the token goes nowhere else), or a
 * next page that is not a URL or was already read.
 */
export async function syncAccount(
  account: SyncAccount,
  ports: SyncPorts,
  options: { baseUrl: string; runId: string; policy?: BackoffPolicy },
): Promise<AccountResult> {
  const policy = options.policy ?? defaultBackoff;
  const origin = new URL(options.baseUrl).origin;
  const label = `account ${account.wabaId} (${account.source})`;
  let url: string | null = firstPageUrl(options.baseUrl, account);
  let templates = 0;
  let pages = 0;
  const stop = (why: string, tokenProblem: boolean): AccountResult => ({
    wabaId: account.wabaId,
    ok: false,
    why: withoutToken(why, account.accessToken),
    tokenProblem,
    templates,
  });
  // The pages of this run, so a paging.next that repeats (or cycles) ends the account, not the process.
  const fetched = new Set<string>();
  while (url !== null) {
    const problem = nextPageProblem(url, origin, fetched);
    if (problem) return stop(problem, false);
    fetched.add(url);
    for (let attempt = 1; ; attempt++) {
      let answer: GraphAnswer;
      try {
        answer = await ports.get(url, account.accessToken);
      } catch (error) {
        if (error instanceof SyncStopped) throw error;
        // Unreachable: retried like a server error.
        const message = `network error: ${(error as Error).message}`;
        answer = { status: 503, headers: {}, body: JSON.stringify({ error: { message } }) };
      }
      const decision = decideAnswer(answer, attempt, ports.now(), policy);
      if (decision.kind === "stop") return stop(decision.why, decision.tokenProblem);
      if (decision.kind === "retry") {
        ports.progress(
          `${label}: page ${pages + 1} ${withoutToken(decision.why, account.accessToken)}; retrying in ${Math.ceil(decision.waitMs / 1000)} s`,
        );
        await ports.sleep(decision.waitMs);
        continue;
      }
      const readAt = ports.now();
      const events = decision.page.templates
        .map((template) =>
          templateSyncEvent(template, { wabaId: account.wabaId, readAt, runId: options.runId }),
        )
        .filter((event) => event !== null);
      await ports.publish(events);
      templates += events.length;
      pages += 1;
      const skipped = decision.page.templates.length - events.length;
      ports.progress(
        `${label}: page ${pages}, ${events.length} templates published${skipped > 0 ? ` (${skipped} without an id skipped)` : ""}, ${templates} so far`,
      );
      url = decision.page.next;
      break;
    }
  }
  return { wabaId: account.wabaId, ok: true, templates, pages };
}
