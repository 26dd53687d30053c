import { syncAccount, type AccountResult, type SyncPorts } from "./account-sync";
import type { ActiveAccounts } from "./active-accounts";
import type { BackoffPolicy } from "./graph-answer";

/** One run over every account: each account's result, and whether every one synced. */
export interface RunResult {
  results: AccountResult[];
  allSynced: boolean;
}

/**
 * Syncs every account one after the other (one token problem does not stop the others); an account
 * whose token did not open, or no account at all, is a failure.
 */
export async function syncAllAccounts(
  found: ActiveAccounts,
  ports: SyncPorts,
  options: { baseUrl: string; runId: string; policy?: BackoffPolicy },
): Promise<RunResult> {
  const results: AccountResult[] = found.unreadable.map(({ wabaId, why }) => ({
    wabaId,
    ok: false,
    why: `its access token does not open: ${why}`,
    tokenProblem: true,
    templates: 0,
  }));
  for (const { wabaId, why } of found.unreadable) ports.progress(`account ${wabaId}: skipped, ${why}`);
  for (const account of found.accounts) {
    ports.progress(`account ${account.wabaId} (${account.source}): reading templates`);
    results.push(await syncAccount(account, ports, options));
  }
  return { results, allSynced: results.length > 0 && results.every((result) => result.ok) };
}

/** The lines that close a run: one per account, then the total. */
export function runSummary({ results, allSynced }: RunResult): string[] {
  if (results.length === 0)
    return [
      "no account to sync: no active whatsapp_configs document, and WHATSAPP_WABA_ID or WHATSAPP_ACCESS_TOKEN is empty",
    ];
  const lines = results.map((result) =>
    result.ok
      ? `account ${result.wabaId}: synced, ${result.templates} templates in ${result.pages} pages`
      : `account ${result.wabaId}: FAILED after ${result.templates} templates: ${result.why}${result.tokenProblem ? " - renew the account's access token (npm run config)" : ""}`,
  );
  const failed = results.filter((result) => !result.ok).length;
  lines.push(
    allSynced
      ? `every account synced (${results.length})`
      : `${failed} of ${results.length} accounts not synced`,
  );
  return lines;
}
