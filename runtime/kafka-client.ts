import { Kafka, logLevel, Partitioners, type LogEntry, type ProducerConfig } from "kafkajs";
import type { KafkaConnection } from "./kafka-settings";
import "./kafkajs-request-queue";
import type { Logger } from "./logger";

const levels: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** One kafkajs client per process, logging through the service's pino logger; TLS and SASL as configured. */
export function createKafka(clientId: string, connection: KafkaConnection, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId,
    ...connection,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[levels[level] ?? "info"](extra, message);
      },
  });
}

/**
 * Every producer of the project: idempotent (no duplicates from its own retries), one request in flight
 * (order kept), topics created by the services, never by a send, and the Java-compatible (murmur2)
 * partitioner, so Java consumers and Kafka Streams see the same key -> partition.
 */
export const idempotentProducer: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
};

/** Resolves to `fallback` when `promise` does not settle within `ms` (readiness probes must answer fast). */
export async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.catch(() => fallback),
      new Promise<T>((resolve) => {
        timer = setTimeout(() => resolve(fallback), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
