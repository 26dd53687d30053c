import type { Admin } from "kafkajs";
import type { InboundMessageEvent, MessageStatusEvent } from "../contracts/generated/types";
import type { TopicId } from "../contracts/topics";
import { inboundEvent } from "../tests/fixtures/inbound-events";
import { inboundMessageBodies } from "../tests/fixtures/meta-webhooks";
import { ownNumberChange } from "./delivery-mix";
import { statusEvent } from "../tests/fixtures/status-events";
import { EventProducer } from "../tests/support/event-producer";
import { startServiceProcess, type ServiceProcess } from "../tests/support/service-process";
import { stackKafka } from "../tests/support/stack-clients";
import { seededRandom } from "./delivery-mix";
import { statusLifecycle } from "./status-lifecycle";

export interface ApplyRate {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  rssMb: number;
}

/** events statuses of outbound messages through their lifecycle (statusLifecycle): 4 in 10 open a message. */
export function statusBacklog(events: number, runId: string): MessageStatusEvent[] {
  let message = 0;
  let clock = 1_750_000_000;
  const next = statusLifecycle({
    random: seededRandom(20261124),
    nextId: () => `wamid.${runId}.s${message++}`,
    clock: () => clock++,
  });
  return Array.from({ length: events }, () => {
    const { wamid, status, timestamp } = next();
    return statusEvent(wamid, status, timestamp);
  });
}

/** events inbound messages of every type, ten per customer. */
export function inboundBacklog(events: number, runId: string): InboundMessageEvent[] {
  const bodies = Object.values(inboundMessageBodies);
  return Array.from({ length: events }, (_, i) => {
    const waId = `1650${Math.floor(i / 10)}`;
    return inboundEvent(
      `wamid.${runId}.i${i}`,
      1_750_000_000 + i,
      ownNumberChange(bodies[i % bodies.length]!, waId),
      {
        waId,
      },
    );
  });
}

/** Writes a backlog to a topic as the ingress would (Avro, keyed), before any projector runs. */
export async function preload<T>(topicPrefix: string, topic: TopicId, events: { key: string; value: T }[]) {
  const producer = new EventProducer(topicPrefix);
  await producer.connect([topic]);
  await producer.send(topic, events);
  await producer.disconnect();
}

/** Records of a topic a group has committed, over all partitions. */
export async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

export const rssMegabytes = async (service: ServiceProcess): Promise<number> => {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${service.child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
};

/**
 * Starts a projector on a preloaded topic with a fresh consumer group and database, and times it from
 * ready (group joined) until its committed offsets reach the topic's end.
 */
export async function measureApplyRate(options: {
  entry: string;
  topic: string;
  events: number;
  env: Record<string, string>;
  group: string;
}): Promise<ApplyRate> {
  const admin = stackKafka("bench-projector-rate").admin();
  await admin.connect();
  const projector = await startServiceProcess("projector", options.entry, options.env, 120_000);
  const started = Date.now();
  let peakRss = 0;
  try {
    for (;;) {
      peakRss = Math.max(peakRss, await rssMegabytes(projector));
      if ((await committedTotal(admin, options.group, options.topic)) >= options.events) break;
      if (projector.child.exitCode !== null) throw new Error(`projector exited:\n${projector.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await projector.stop();
    await admin.disconnect();
  }
  const seconds = (Date.now() - started) / 1000;
  return { events: options.events, seconds, eventsPerSecond: options.events / seconds, rssMb: peakRss };
}
