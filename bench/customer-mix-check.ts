import path from "node:path";
import { MongoClient } from "mongodb";
import { removeRunData } from "../tests/support/run-data";
import { startServiceProcess, type ServiceProcess } from "../tests/support/service-process";
import { customerMix } from "./customer-mix";
import { sign } from "./delivery-mix";
import { auditEffects } from "./effects-audit";
import { serviceCode } from "./service-code";
import { SignedLoad } from "./signed-load";
import { stackAddresses } from "./stack-addresses";

/**
 * The customer mix against the real services, no fault: the ingress and both projectors of this checkout
 * (or of BENCH_CODE_DIR, e.g. a build with a projection broken on purpose) as processes on their own
 * topics and database, CUSTOMER_MIX_CUSTOMERS customers (120: about 480 deliveries) sent through
 * SignedLoad, drained, audited. Passes with nothing lost or doubled, no detail, merges and resends seen;
 * exits 1 otherwise and keeps the run's topics and database to look into.
 */
const stack = stackAddresses();
const runId = `cm${Date.now().toString(36)}`;
const appSecret = "customer-mix-app-secret";
const customers = Number(process.env.CUSTOMER_MIX_CUSTOMERS ?? 120);
const rate = Number(process.env.CUSTOMER_MIX_RATE ?? 100);
const env = {
  ...stack,
  TOPIC_PREFIX: `customer-mix-${runId}.`,
  MONGODB_DB: `whatsapp_customer_mix_${runId}`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "customer-mix-verify",
  LOG_LEVEL: "warn",
};
const groups = {
  status: `${env.TOPIC_PREFIX}whatsapp-status-projector`,
  conversation: `${env.TOPIC_PREFIX}whatsapp-conversation-projector`,
};
const log = (message: string) => console.error(`[customer-mix] ${message}`);

async function main(): Promise<number> {
  const code = serviceCode();
  log(`services: ${code.description}; topics ${env.TOPIC_PREFIX}*; database ${env.MONGODB_DB}`);
  const logFile = (name: string) =>
    path.resolve(__dirname, `../.stack/logs/customer-mix-${runId}-${name}.log`);
  const services: ServiceProcess[] = [];
  const mongo = new MongoClient(stack.MONGODB_URI);
  try {
    for (const [name, { entry, env: entryEnv }] of Object.entries({
      ingress: code.ingress,
      ...code.projectors,
    }))
      services.push(await startServiceProcess(name, entry, { ...env, ...entryEnv }, 180_000, logFile(name)));
    const load = new SignedLoad(services[0]!.baseUrl);
    const mix = customerMix({ runId, seed: 11, customers });
    let played = false;
    load.start(() => {
      const delivery = mix();
      played = delivery === undefined;
      return delivery && sign(delivery, appSecret);
    }, rate);
    while (!played) await new Promise((resolve) => setTimeout(resolve, 200));
    await load.drain();
    log(`${load.tracked.length} deliveries sent; auditing`);
    const audit = await auditEffects({
      tracked: load.tracked,
      refusedRequestIds: [],
      topicPrefix: env.TOPIC_PREFIX,
      groups,
      db: mongo.db(env.MONGODB_DB),
      catchUpTimeoutMs: 120_000,
    });
    const { details, ...figures } = audit;
    console.log(JSON.stringify(figures));
    for (const detail of details.slice(0, 20)) console.log(`  ! ${detail}`);
    if (details.length > 20) console.log(`  ... and ${details.length - 20} more details`);
    const passed =
      audit.lost === 0 &&
      audit.duplicated === 0 &&
      audit.merged > 0 &&
      audit.resent > 0 &&
      details.length === 0;
    console.log(passed ? "passed" : "FAILED");
    if (passed && process.env.BENCH_KEEP_DATA !== "1")
      await removeRunData({
        brokers: stack.KAFKA_BROKERS,
        mongoUri: stack.MONGODB_URI,
        topicPrefix: env.TOPIC_PREFIX,
        databasePrefix: env.MONGODB_DB,
      });
    else log(`kept topics ${env.TOPIC_PREFIX}* and database ${env.MONGODB_DB}`);
    return passed ? 0 : 1;
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await mongo.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
