/**
 * The stack `make up` runs, unless the environment names another. Put into process.env as well, for
 * the test helpers the benchmarks share (they read their addresses from there).
 */
export function stackAddresses() {
  const stack = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
    MONGODB_URI: process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017",
    OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "http://127.0.0.1:4318",
  };
  Object.assign(process.env, stack);
  return stack;
}
