import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export interface BrokerCeiling {
  recordsPerSecond: number;
  megabytesPerSecond: number;
  command: string;
}

const kafkaVersion = "3.9.2";

/**
 * The broker's own ceiling for records of a given size: Kafka's producer performance tool (from the
 * native stack's jars, or inside the Docker stack's Kafka container), acks=all and idempotent like ours.
 */
export function measureBrokerCeiling(options: {
  brokers: string;
  topic: string;
  records: number;
  recordSize: number;
}): BrokerCeiling {
  const toolArguments = [
    "--topic",
    options.topic,
    "--num-records",
    String(options.records),
    "--record-size",
    String(options.recordSize),
    "--throughput",
    "-1",
    "--producer-props",
    `bootstrap.servers=${options.brokers}`,
    "acks=all",
    "enable.idempotence=true",
  ];
  const cache = process.env.WHATSAPP_EVENTS_CACHE ?? path.join(homedir(), ".cache/whatsapp-events");
  const libs = path.join(cache, `kafka-${kafkaVersion}`, "libs");
  let command: string[];
  if (existsSync(libs)) {
    command = [
      "java",
      "-Xmx512m",
      "-cp",
      `${libs}/*`,
      "org.apache.kafka.tools.ProducerPerformance",
      ...toolArguments,
    ];
  } else {
    command = [
      "docker",
      "compose",
      "exec",
      "-T",
      "kafka",
      "/opt/kafka/bin/kafka-producer-perf-test.sh",
      ...toolArguments.map((a) => a.replace(/bootstrap\.servers=.*/, "bootstrap.servers=kafka:19092")),
    ];
  }
  const output = execFileSync(command[0]!, command.slice(1), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Last line: "300000 records sent, 123456.7 records/sec (58.87 MB/sec), 35.1 ms avg latency, ..."
  const summary = output.trim().split("\n").pop() ?? "";
  const match = /records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/.exec(summary);
  if (!match) throw new Error(`unexpected output of the producer performance tool:\n${output}`);
  return {
    recordsPerSecond: Number(match[1]),
    megabytesPerSecond: Number(match[2]),
    command: command.slice(0, 5).join(" ") + " …",
  };
}
