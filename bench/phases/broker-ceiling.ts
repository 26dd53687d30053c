import { measureBrokerCeiling } from "../broker-ceiling";
import type { Phase } from "./phase";
import { fixed as f } from "./text";

/** The broker's own ceiling for records of the mix's mean size, beside what the ingress writes. */
export const brokerPhase: Phase = {
  name: "broker ceiling",
  run: async (run, earlier) => {
    const recordBytes = run.mix.recordBytes;
    const broker = measureBrokerCeiling({
      brokers: run.stack.KAFKA_BROKERS,
      topic: `bench-${run.runId}-broker`,
      records: Number(process.env.BENCH_BROKER_RECORDS ?? 500_000),
      recordSize: recordBytes,
    });
    run.log(`broker ceiling: ${broker.recordsPerSecond.toFixed(0)} records/s of ${recordBytes} bytes`);
    const ingressRps = earlier.ingress_rps;
    return {
      rows: [
        [
          "broker ceiling (ProducerPerformance)",
          `${f(broker.recordsPerSecond)} records/s of ${recordBytes} B`,
          typeof ingressRps === "number"
            ? `ingress writes ${f(ingressRps * run.mix.recordsPerDelivery)} records/s`
            : "",
        ],
      ],
      json: { broker_records_per_s: Math.round(broker.recordsPerSecond), record_bytes: recordBytes },
      targets: {},
    };
  },
};
