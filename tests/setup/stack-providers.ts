import { execFileSync } from "node:child_process";
import path from "node:path";

/** Addresses of the stack the tests talk to; both providers hand over the same shape. */
export interface StackAddresses {
  KAFKA_BROKERS: string;
  SCHEMA_REGISTRY_URL: string;
  MONGODB_URI: string;
  OTEL_EXPORTER_OTLP_ENDPOINT: string;
  JAEGER_QUERY_URL: string;
}

export interface StackProvider {
  readonly source: "environment" | "docker" | "native";
  readonly addresses: StackAddresses;
  /** Extra variables for the tests (the Kafka container's id, to pause it in fault tests). */
  readonly controls?: Record<string, string>;
  stop(): Promise<void>;
}

const stackVariables: (keyof StackAddresses)[] = [
  "KAFKA_BROKERS",
  "SCHEMA_REGISTRY_URL",
  "MONGODB_URI",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "JAEGER_QUERY_URL",
];

const repositoryRoot = path.resolve(__dirname, "../..");

/** 1. Explicit environment variables: every one of them must be set. */
export function stackFromEnvironment(env: NodeJS.ProcessEnv): StackProvider | undefined {
  const present = stackVariables.filter((name) => env[name]);
  if (present.length === 0) return undefined;
  const missing = stackVariables.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `Stack given through the environment, but ${missing.join(", ")} missing: set all of ${stackVariables.join(", ")} or none.`,
    );
  }
  const addresses = Object.fromEntries(
    stackVariables.map((name) => [name, env[name]]),
  ) as unknown as StackAddresses;
  return { source: "environment", addresses, stop: async () => undefined };
}

/** 2. A Docker engine through testcontainers, when one answers. */
export async function stackFromDocker(): Promise<StackProvider | undefined> {
  if (process.env.TEST_STACK === "native") return undefined;
  const testcontainers = await import("testcontainers");
  try {
    await testcontainers.getContainerRuntimeClient();
  } catch {
    if (process.env.TEST_STACK === "docker")
      throw new Error("TEST_STACK=docker, but no Docker engine answers");
    return undefined;
  }
  const { KafkaContainer } = await import("@testcontainers/kafka");
  const { MongoDBContainer } = await import("@testcontainers/mongodb");
  const { GenericContainer, Wait } = testcontainers;
  const [kafka, mongo, registry, jaeger] = await Promise.all([
    new KafkaContainer("confluentinc/cp-kafka:7.9.0").withKraft().start(),
    new MongoDBContainer("mongo:8.0").start(),
    new GenericContainer("apicurio/apicurio-registry:3.0.9")
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp("/apis/ccompat/v7/subjects", 8080))
      .start(),
    new GenericContainer("jaegertracing/jaeger:2.13.0")
      .withExposedPorts(4318, 16686)
      .withWaitStrategy(Wait.forHttp("/", 16686))
      .start(),
  ]);
  const addresses: StackAddresses = {
    KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    MONGODB_URI: `${mongo.getConnectionString()}/?directConnection=true`,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${jaeger.getHost()}:${jaeger.getMappedPort(4318)}`,
    JAEGER_QUERY_URL: `http://${jaeger.getHost()}:${jaeger.getMappedPort(16686)}`,
  };
  return {
    source: "docker",
    addresses,
    controls: { TEST_KAFKA_CONTAINER_ID: kafka.getId() },
    stop: async () => {
      await Promise.all([kafka.stop(), mongo.stop(), registry.stop(), jaeger.stop()]);
    },
  };
}

/** 3. The native stack: started (or found running) by deploy/native/up.sh. */
export function stackFromNativeProcesses(): StackProvider {
  execFileSync(path.join(repositoryRoot, "deploy/native/up.sh"), { stdio: "inherit" });
  return {
    source: "native",
    addresses: {
      KAFKA_BROKERS: "127.0.0.1:9092",
      SCHEMA_REGISTRY_URL: "http://127.0.0.1:8081/apis/ccompat/v7",
      MONGODB_URI: "mongodb://127.0.0.1:27017",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
      JAEGER_QUERY_URL: "http://127.0.0.1:16686",
    },
    // The native stack is the one `make up` runs; tests leave it running for the next run.
    stop: async () => undefined,
  };
}

export async function provideStack(env: NodeJS.ProcessEnv): Promise<StackProvider> {
  return stackFromEnvironment(env) ?? (await stackFromDocker()) ?? stackFromNativeProcesses();
}
