import { removeRunData } from "../tests/support/run-data";
import { deliveryMix, eventCount, sign, type SignedDelivery } from "./delivery-mix";
import { meanRecordBytes } from "./record-size";
import { serviceCode, type ServiceCode } from "./service-code";
import { stackAddresses } from "./stack-addresses";

/** What every phase of `make bench` shares: the stack, the run's ids, the services measured, the mix. */
export interface BenchRun {
  runId: string;
  appSecret: string;
  stack: ReturnType<typeof stackAddresses>;
  /** The services measured: this checkout's build, or BENCH_CODE_DIR's. */
  code: ServiceCode;
  /** Length of each timed load run (`BENCH_SECONDS`). */
  seconds: number;
  /** The load mix every rate is measured with, and what the ingress makes of it. */
  mix: {
    deliveries: SignedDelivery[];
    eventsPerDelivery: number;
    recordsPerDelivery: number;
    /** Mean size of the records the ingress writes (Avro + 5-byte wire header). */
    recordBytes: number;
  };
  log: (message: string) => void;
  /** The services' environment for one phase: topics and database of their own. */
  serviceEnv: (phase: string) => Record<string, string>;
  /** Deletes this run's topics and databases (every phase, or one); `BENCH_KEEP_DATA=1` keeps them. */
  removeBenchData: (phase?: string) => Promise<void>;
  /** `count` signed deliveries of the mix; `seedRun` keeps each batch's ids apart. */
  signedMix: (count: number, sizeFactor: number, seedRun: string) => SignedDelivery[];
}

const log = (message: string) =>
  console.error(`[bench] ${new Date().toISOString().slice(11, 19)} ${message}`);

export function createBenchRun(): BenchRun {
  const stack = stackAddresses();
  const runId = `b${Date.now().toString(36)}`;
  const appSecret = "bench-app-secret";

  const serviceEnv = (phase: string): Record<string, string> => ({
    ...stack,
    TOPIC_PREFIX: `bench-${runId}-${phase}.`,
    MONGODB_DB: `whatsapp_bench_${runId}_${phase}`,
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "bench-verify",
    LOG_LEVEL: "warn",
  });

  const removeBenchData = async (phase = ""): Promise<void> => {
    if (process.env.BENCH_KEEP_DATA === "1") return;
    const removed = await removeRunData({
      brokers: stack.KAFKA_BROKERS,
      mongoUri: stack.MONGODB_URI,
      topicPrefix: `bench-${runId}-${phase}`,
      databasePrefix: `whatsapp_bench_${runId}_${phase}`,
    });
    log(
      `removed ${removed.topics} topics and ${removed.databases} databases${phase ? ` of the ${phase} phase` : ""}`,
    );
  };

  const signedMix = (count: number, sizeFactor: number, seedRun: string): SignedDelivery[] => {
    const next = deliveryMix({ runId: `${runId}${seedRun}`, sizeFactor });
    return Array.from({ length: count }, () => sign(next(), appSecret));
  };

  const deliveries = signedMix(2000, 1, "m");
  const records = meanRecordBytes(deliveries);
  return {
    runId,
    appSecret,
    stack,
    code: serviceCode(),
    seconds: Number(process.env.BENCH_SECONDS ?? 10),
    mix: {
      deliveries,
      eventsPerDelivery: eventsPerDelivery(deliveries),
      recordsPerDelivery: records.perDelivery,
      recordBytes: records.bytes,
    },
    log,
    serviceEnv,
    removeBenchData,
    signedMix,
  };
}

export const eventsPerDelivery = (deliveries: readonly SignedDelivery[]): number =>
  deliveries.reduce((sum, d) => sum + eventCount(d.effects), 0) / deliveries.length;
