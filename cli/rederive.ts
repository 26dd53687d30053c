import { createLogger } from "../runtime/logger";
import {
  parseRederiveArguments,
  rederiveUsage,
  UsageError,
  type RederiveCommand,
} from "../ingress/rederive/rederive-arguments";
import { rederiveFromRawLog } from "../ingress/rederive/rederive-from-raw-log";
import { readRederiveSettings } from "../ingress/rederive/rederive-settings";

/** Exit codes: 0 done, 1 failed (settings, Kafka, registry, a record), 2 bad usage. */
async function main(argv: string[]): Promise<number> {
  let command: RederiveCommand;
  try {
    command = parseRederiveArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${rederiveUsage}`);
    return 2;
  }
  if (command.kind === "help") {
    console.log(rederiveUsage);
    return 0;
  }
  const settings = readRederiveSettings();
  const logger = createLogger(
    "whatsapp-rederive",
    settings.LOG_LEVEL === "info" ? "warn" : settings.LOG_LEVEL,
  );
  await rederiveFromRawLog(settings, command, (line) => console.log(`[rederive] ${line}`), logger);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`rederive failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
