import { parseArgs } from "node:util";

/** Where in the raw log to start: its first kept record, or the first record written at or after a time. */
export type ReadFrom = { kind: "beginning" } | { kind: "time"; timestamp: number };

export type RederiveCommand =
  | { kind: "help" }
  | {
      kind: "run";
      from: ReadFrom;
      /** A progress line after this many raw records (and at least every few seconds). */
      reportEvery: number;
    };

/** The command line is wrong: the command prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const defaultReportEvery = 10_000;

export const rederiveUsage = `Reads whatsapp.webhook.raw.v1 through the current parser and publishes the events it derives again
(statuses, inbound messages, business events; never the raw records), with their deterministic event ids:
  npm run rederive -- --since <time>      from the first raw record written at or after <time>
  npm run rederive -- --from-beginning    from the first raw record the topic keeps
Options:
  --since <time>          ISO 8601 with a zone (2026-11-20T08:00:00Z, 2026-11-20T09:00+01:00), a date
                          (2026-11-20, midnight UTC), or Unix epoch milliseconds (1763625600000)
  --from-beginning        the whole raw log
  --report-every <n>      a progress line every <n> raw records (default ${defaultReportEvery}), and every 5 s
  --help                  this text
It reads up to the end of the raw topic as it is at start, then exits: live traffic and the live
projectors may keep running. Settings: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX, and the
KAFKA_SSL*, KAFKA_SASL_* and SCHEMA_REGISTRY_* credentials (environment or .env).`;

/** Epoch values below this (March 1973) are taken for seconds given by mistake. */
const smallestEpochMillis = 100_000_000_000;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoDateTimeWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** `2026-02-30` is not one (Date.parse would roll it over into March). */
function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return (
    parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day
  );
}

/** `--since`'s value as epoch milliseconds; a time without a zone is refused, not guessed. */
export function parseSince(value: string, now: number): number {
  let timestamp: number;
  if (/^\d+$/.test(value)) {
    timestamp = Number(value);
    if (timestamp < smallestEpochMillis)
      throw new UsageError(`--since ${value} looks like Unix seconds: give milliseconds (${value}000)`);
  } else if (isoDate.test(value) || isoDateTimeWithZone.test(value)) {
    timestamp = Date.parse(value);
    if (Number.isNaN(timestamp) || !isCalendarDate(value.slice(0, 10)))
      throw new UsageError(`--since ${value} is not a valid date`);
  } else {
    throw new UsageError(
      `--since ${value} is neither ISO 8601 with a zone (2026-11-20T08:00:00Z), a date (2026-11-20) nor epoch milliseconds`,
    );
  }
  if (timestamp > now) throw new UsageError(`--since ${value} is in the future: nothing to read`);
  return timestamp;
}

/** The command line (after `node dist/cli/rederive.js`) as a command; throws UsageError. */
export function parseRederiveArguments(argv: readonly string[], now: number = Date.now()): RederiveCommand {
  let values: { since?: string; "from-beginning"?: boolean; "report-every"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        since: { type: "string" },
        "from-beginning": { type: "boolean" },
        "report-every": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values.since !== undefined && values["from-beginning"])
    throw new UsageError("give either --since or --from-beginning, not both");
  let from: ReadFrom;
  if (values.since !== undefined) from = { kind: "time", timestamp: parseSince(values.since, now) };
  else if (values["from-beginning"]) from = { kind: "beginning" };
  else throw new UsageError("say where to start: --since <time> or --from-beginning");

  let reportEvery = defaultReportEvery;
  const every = values["report-every"];
  if (every !== undefined) {
    if (!/^\d+$/.test(every) || Number(every) === 0)
      throw new UsageError(`--report-every ${every} is not a positive whole number`);
    reportEvery = Number(every);
  }
  return { kind: "run", from, reportEvery };
}
