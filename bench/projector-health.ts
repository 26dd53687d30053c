import { readTopic } from "../tests/support/kafka-records";
import { stackKafka } from "../tests/support/stack-clients";

/** The samples of a Prometheus text exposition: metric name -> label text ("" without labels) -> value. */
export async function scrapeMetrics(operationsUrl: string): Promise<Map<string, Map<string, number>>> {
  const text = await (await fetch(`${operationsUrl}/metrics`)).text();
  const metrics = new Map<string, Map<string, number>>();
  for (const line of text.split("\n")) {
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!sample) continue;
    const series = metrics.get(sample[1]!) ?? new Map<string, number>();
    series.set(sample[2] ?? "", Number(sample[3]));
    metrics.set(sample[1]!, series);
  }
  return metrics;
}

/** A metric's value per value of one of its labels (series without that label left out). */
export function metricByLabel(
  metrics: Map<string, Map<string, number>>,
  name: string,
  label: string,
): Record<string, number> {
  const byLabel: Record<string, number> = {};
  const pattern = new RegExp(`${label}="([^"]+)"`);
  for (const [labels, value] of metrics.get(name) ?? []) {
    const labelValue = pattern.exec(labels)?.[1];
    if (labelValue) byLabel[labelValue] = value;
  }
  return byLabel;
}

/** How much each label's value grew between two readings of metricByLabel (a label new in `after` from 0). */
export function metricGrowth(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([label, value]) => [label, value - (before[label] ?? 0)]),
  );
}

/** Sum of a metric over all its series (0 when absent). */
export const metricTotal = (metrics: Map<string, Map<string, number>>, name: string): number =>
  [...(metrics.get(name)?.values() ?? [])].reduce((sum, value) => sum + value, 0);

/**
 * Waits until a projector has caught up and is healthy: every partition's
 * `whatsapp_projector_partition_stalled` and `whatsapp_projector_consumer_lag` 0, and `/readyz` 200.
 * Returns what still is not, once `timeoutMs` has passed (empty when healthy).
 */
export async function waitUntilSettled(
  name: string,
  operationsUrl: string,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problems: string[] = [];
    try {
      const metrics = await scrapeMetrics(operationsUrl);
      for (const metric of ["whatsapp_projector_partition_stalled", "whatsapp_projector_consumer_lag"]) {
        const series = metrics.get(metric);
        if (!series?.size) problems.push(`${name}: no ${metric} series`);
        for (const [labels, value] of series ?? [])
          if (value !== 0) problems.push(`${name}: ${metric}${labels} ${value}`);
      }
      const ready = await fetch(`${operationsUrl}/readyz`);
      if (ready.status !== 200) problems.push(`${name}: /readyz ${ready.status} ${await ready.text()}`);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Records in the dead-letter topic of a run (0 when it was never created), with their reasons' kinds. */
export async function deadLetters(
  topicPrefix: string,
): Promise<{ count: number; reasons: Map<string, number> }> {
  const topic = `${topicPrefix}whatsapp.deadletter.v1`;
  const kafka = stackKafka("bench-projector-health");
  const admin = kafka.admin();
  await admin.connect();
  let count = 0;
  try {
    if ((await admin.listTopics()).includes(topic))
      count = (await admin.fetchTopicOffsets(topic)).reduce(
        (sum, p) => sum + Number(p.high) - Number(p.low),
        0,
      );
  } finally {
    await admin.disconnect();
  }
  const reasons = new Map<string, number>();
  if (count > 0) {
    const records = await readTopic<{ reason: string }>(topic, (read) => read.length >= count, 60_000);
    for (const { value } of records) {
      const reason = value.reason.slice(0, 120);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  return { count, reasons };
}
