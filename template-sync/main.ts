import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { ContractSerde } from "../contracts/serde";
import { ensureTopics } from "../contracts/topic-admin";
import { whatsappConfigs } from "../ingress/configuration/config-cache";
import { createKafka, idempotentProducer } from "../runtime/kafka-client";
import { kafkaConnectionOf } from "../runtime/kafka-settings";
import { createLogger } from "../runtime/logger";
import { mongoClientOptions } from "../runtime/mongodb-settings";
import { schemaRegistryConnectionOf } from "../runtime/schema-registry-settings";
import { SettingsError } from "../runtime/settings";
import { keyringOf } from "../runtime/whatsapp-settings";
import type { SyncPorts } from "./account-sync";
import { activeAccounts } from "./active-accounts";
import { parseDuration } from "./duration";
import { graphGet } from "./graph-client";
import { readTemplateSyncSettings } from "./sync-settings";
import { syncAllAccounts } from "./sync-run";
import { runSyncService } from "./sync-service";
import { SyncStopped, stoppableSleep } from "./sync-stop";

const usage = `Usage: npm run templates:sync [-- --every <duration>]
Reads every template of every active account (whatsapp_configs, else WHATSAPP_WABA_ID and
WHATSAPP_ACCESS_TOKEN) from GET <GRAPH_API_BASE_URL>/<WHATSAPP_API_VERSION>/<waba id>/message_templates
and publishes each to whatsapp.template.event.v1, which the templates projection folds into templates.
  --every <duration>  run again every 30s, 15m, 6h, 1d... (at most 24d) until stopped (SIGTERM, SIGINT)
Exits 0 when every account synced, 1 when one did not, 2 on bad arguments or settings.`;

/** The arguments: a one-shot run, a periodic one, help, or what is wrong with them. */
function parseArguments(args: string[]): { everyMs: number | null } | { help: true } | { problem: string } {
  if (args.length === 0) return { everyMs: null };
  if (args.length === 1 && ["--help", "-h"].includes(args[0]!)) return { help: true };
  if (args.length === 2 && args[0] === "--every") {
    const every = parseDuration(args[1]!);
    return "problem" in every ? { problem: `--every: ${every.problem}` } : { everyMs: every.ms };
  }
  return { problem: `unknown arguments: ${args.join(" ")}` };
}

async function main(args: string[]): Promise<number> {
  const parsed = parseArguments(args);
  if ("help" in parsed) {
    console.log(usage);
    return 0;
  }
  if ("problem" in parsed) {
    console.error(`${parsed.problem}\n${usage}`);
    return 2;
  }
  const settings = readTemplateSyncSettings();
  // Progress goes to stdout as lines; the Kafka client logs only its errors (JSON, to stdout).
  const logger = createLogger("whatsapp-template-sync", "error");
  const mongo = new MongoClient(settings.MONGODB_URI, mongoClientOptions(settings));
  const kafka = createKafka("whatsapp-template-sync", kafkaConnectionOf(settings), logger);
  const producer = kafka.producer(idempotentProducer);
  const serde = new ContractSerde(schemaRegistryConnectionOf(settings), settings.TOPIC_PREFIX);
  // SIGTERM or SIGINT aborts the wait or fetch in hand; a second signal ends the process as Node does.
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  const sleep = (ms: number) => stoppableSleep(ms, stopping.signal);
  try {
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, ["templateEvent"], settings.TOPIC_PREFIX, 3);
    await admin.disconnect();
    await serde.register(["templateEvent"]);
    await producer.connect();
    const ports: SyncPorts = {
      get: async (url, accessToken) => {
        if (stopping.signal.aborted) throw new SyncStopped();
        try {
          return await graphGet(url, accessToken, { stop: stopping.signal });
        } catch (error) {
          throw stopping.signal.aborted ? new SyncStopped() : error;
        }
      },
      publish: async (events) => {
        if (stopping.signal.aborted) throw new SyncStopped();
        if (events.length === 0) return;
        const messages = await Promise.all(
          events.map(async ({ key, value }) => ({ key, value: await serde.encode("templateEvent", value) })),
        );
        await producer.send({ topic: serde.topic("templateEvent"), acks: -1, messages });
      },
      sleep,
      now: () => Date.now(),
      progress: (line) => console.log(line),
    };
    const keyring = keyringOf(settings);
    const warnedPlaintext = new Set<string>();
    const runOnce = async () => {
      const found = await activeAccounts(whatsappConfigs(mongo.db(settings.MONGODB_DB)), settings, keyring);
      for (const id of found.plaintext.filter((id) => !warnedPlaintext.has(id))) {
        warnedPlaintext.add(id);
        console.warn(
          `whatsapp_configs document ${id} holds its access token in clear; \`npm run config -- rotate-key\` seals it`,
        );
      }
      return syncAllAccounts(found, ports, {
        baseUrl: settings.GRAPH_API_BASE_URL,
        runId: `template-sync-${randomUUID()}`,
      });
    };
    return await runSyncService({
      everyMs: parsed.everyMs,
      everyText: args[1] ?? "",
      runOnce,
      sleep,
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } finally {
    await producer.disconnect().catch(() => undefined);
    await mongo.close().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof SettingsError ? error.message : `template sync failed: ${(error as Error).message}`,
    );
    process.exit(error instanceof SettingsError ? 2 : 1);
  },
);
