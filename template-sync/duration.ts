const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--every`'s value: a whole number with s, m, h or d (30s, 15m, 6h, 1d), in milliseconds; null otherwise. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * units[match[2]!]!;
  return ms > 0 ? ms : null;
}
