const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Longest `--every`: Node's timers hold at most 2^31-1 ms (about 24.8 days) and fire at once beyond. */
export const longestEveryMs = 24 * 86_400_000;

/**
 * `--every`'s value: a whole number with s, m, h or d (30s, 15m, 6h, 1d), in milliseconds, or what is
 * wrong with it (not a duration, or longer than 24 days).
 */
export function parseDuration(text: string): { ms: number } | { problem: string } {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * units[match[2]!]! : 0;
  if (!(ms > 0)) return { problem: `"${text}" is not a duration like 15m` };
  if (ms > longestEveryMs)
    return { problem: `"${text}" is longer than 24 days, the longest this sync waits` };
  return { ms };
}
