import type { Kafka } from "kafkajs";
import type { Db } from "mongodb";
import { statusEventId } from "../ingress/domain/delivery-parser";
import { readTopic } from "../tests/support/kafka-records";
import { stackKafka } from "../tests/support/stack-clients";
import {
  customerFindings,
  customerReads,
  resentTwice,
  type StoredConversation,
  type StoredMessage,
} from "./customer-audit";
import type { CustomerEffects } from "./delivery-mix";
import type { TrackedDelivery } from "./signed-load";

export interface Audit {
  /** Deliveries the load sent (each retried as Meta retries, until answered 200 or the load gave up). */
  attempted: number;
  acknowledged: number;
  inLog: number;
  /**
   * Deliveries never acknowledged (the ingress did not recover within the load's retries), acknowledged
   * deliveries missing from the raw topic, and acknowledged events missing from the read models.
   */
  lost: number;
  /**
   * Events applied more than once: a status twice in a timeline, a conversation counting a message twice,
   * an edit shown twice.
   */
  duplicated: number;
  /** Requests refused (401, 405, 413, ...) whose request id nevertheless reached the raw topic. */
  refusedInLog: number;
  /** Customers of the customer mix (customer-mix.ts) with an acknowledged delivery. */
  customers: number;
  /** Of those, customers known under linked ids who ended in one live conversation every id leads to. */
  merged: number;
  /** Customers not in one conversation (messages in several, two live, an id elsewhere): each a detail. */
  failedMerges: number;
  /** Deliveries resent on purpose (the same signed bytes) and acknowledged both times. */
  resent: number;
  details: string[];
}

/** `$in` reads of at most 5000 ids each. */
async function findByIds<T extends { _id: string }>(
  db: Db,
  collection: string,
  ids: readonly string[],
  projection: Record<string, 1>,
): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < ids.length; i += 5000)
    found.push(
      ...((await db
        .collection(collection)
        .find({ _id: { $in: ids.slice(i, i + 5000) } } as never, { projection })
        .toArray()) as unknown as T[]),
    );
  return found;
}

/** The customer mix's effects against the read models: see customerFindings. */
async function auditCustomers(db: Db, tracked: readonly TrackedDelivery[]) {
  const effects = tracked.flatMap((t): CustomerEffects[] =>
    t.acknowledged && t.delivery.effects.customer ? [t.delivery.effects.customer] : [],
  );
  const { wamids, customerIds } = customerReads(effects);
  const messages = await findByIds<StoredMessage>(db, "inbound_messages", wamids, {
    conversationId: 1,
    type: 1,
    text: 1,
    edits: 1,
    revokedAt: 1,
    revokeId: 1,
  });
  const named = messages.flatMap((m) => (m.conversationId === null ? [] : [m.conversationId]));
  const conversations = await findByIds<StoredConversation>(
    db,
    "conversations",
    [...new Set([...customerIds, ...named])],
    { mergedInto: 1, messageCount: 1 },
  );
  return {
    ...customerFindings(effects, {
      messages: new Map(messages.map((m) => [m._id, m])),
      conversations: new Map(conversations.map((c) => [c._id, c])),
    }),
    resent: resentTwice(tracked),
  };
}

/** Waits until a group has committed the end of every partition of a topic that holds records. */
export async function waitUntilConsumed(
  kafka: Kafka,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      // A partition with nothing to read (low = high: a topic only another load writes to) is never behind.
      const behind = ends.filter(({ partition, low, high }) => {
        const offset = committed?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
        return BigInt(high) > BigInt(low) && BigInt(offset) < BigInt(high);
      });
      if (behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${groupId} did not reach the end of ${topic} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Checks every delivery sent against the log and the read models, once the load is drained: it was
 * acknowledged in the end (Meta retries for days; a delivery the load gave up on is lost), its request
 * id in the raw topic, each status in its message's timeline exactly once, each inbound
 * message stored, and each conversation counting exactly the distinct messages acknowledged for it;
 * for the customer mix, each customer in one live conversation whatever ids they used, their edits and
 * revokes shown (customer-audit.ts).
 */
export async function auditEffects(options: {
  tracked: readonly TrackedDelivery[];
  refusedRequestIds: readonly string[];
  topicPrefix: string;
  groups: { status: string; conversation: string };
  db: Db;
  catchUpTimeoutMs?: number;
}): Promise<Audit> {
  const kafka = stackKafka("bench-effects-audit");
  const rawTopic = `${options.topicPrefix}whatsapp.webhook.raw.v1`;
  const admin = kafka.admin();
  await admin.connect();
  const rawEnd = (await admin.fetchTopicOffsets(rawTopic)).reduce((sum, p) => sum + Number(p.high), 0);
  await admin.disconnect();
  const raw = await readTopic<{ requestId: string }>(
    rawTopic,
    (records) => records.length >= rawEnd,
    120_000,
  );
  const logged = new Set(raw.map((r) => r.value.requestId));

  const timeout = options.catchUpTimeoutMs ?? 600_000;
  await waitUntilConsumed(
    kafka,
    options.groups.status,
    `${options.topicPrefix}whatsapp.message.status.v1`,
    timeout,
  );
  await waitUntilConsumed(
    kafka,
    options.groups.conversation,
    `${options.topicPrefix}whatsapp.message.inbound.v1`,
    timeout,
  );

  const details: string[] = [];
  const acknowledged = options.tracked.filter((t) => t.acknowledged);
  let inLog = 0;
  let lost = 0;
  let duplicated = 0;
  for (const t of options.tracked.filter((delivery) => !delivery.acknowledged)) {
    lost++;
    const last = t.attempts.at(-1);
    details.push(
      `delivery never acknowledged after ${t.attempts.length} attempts (last answer ${last?.status || "none"})`,
    );
  }
  for (const t of acknowledged) {
    const ids = t.attempts.filter((a) => a.status === 200).map((a) => a.requestId!);
    if (ids.some((id) => logged.has(id))) inLog++;
    else {
      lost++;
      details.push(`acknowledged request ${ids.join(",")} is not in ${rawTopic}`);
    }
  }

  const expectedStatuses = new Map<string, Set<string>>();
  const expectedInbound = new Map<string, Set<string>>();
  for (const t of acknowledged) {
    for (const s of t.delivery.effects.statuses) {
      const eventIds = expectedStatuses.get(s.wamid) ?? new Set<string>();
      eventIds.add(statusEventId(s.wamid, s.status, s.timestamp * 1000));
      expectedStatuses.set(s.wamid, eventIds);
    }
    for (const m of t.delivery.effects.inbound) {
      const wamids = expectedInbound.get(m.conversationId) ?? new Set<string>();
      wamids.add(m.wamid);
      expectedInbound.set(m.conversationId, wamids);
    }
  }

  const statusDocuments = new Map<string, { timeline: { eventId: string }[] }>();
  const wamids = [...expectedStatuses.keys()];
  for (let i = 0; i < wamids.length; i += 5000) {
    const found = await options.db
      .collection<{ _id: string; timeline: { eventId: string }[] }>("message_statuses")
      .find({ _id: { $in: wamids.slice(i, i + 5000) } }, { projection: { timeline: 1 } })
      .toArray();
    for (const document of found) statusDocuments.set(document._id, document);
  }
  for (const [wamid, eventIds] of expectedStatuses) {
    const timeline = statusDocuments.get(wamid)?.timeline ?? [];
    for (const eventId of eventIds) {
      const times = timeline.filter((entry) => entry.eventId === eventId).length;
      if (times === 0) {
        lost++;
        details.push(`status event ${eventId} of ${wamid} is not in its timeline`);
      }
      if (times > 1) {
        duplicated += times - 1;
        details.push(`status event ${eventId} of ${wamid} is ${times} times in its timeline`);
      }
    }
  }

  const conversationIds = [...expectedInbound.keys()];
  const conversations = await options.db
    .collection<{ _id: string; messageCount: number }>("conversations")
    .find({ _id: { $in: conversationIds } })
    .toArray();
  const counts = new Map(conversations.map((c) => [c._id, c.messageCount]));
  const allInbound = [...expectedInbound.values()].flatMap((set) => [...set]);
  const stored = new Set<string>();
  for (let i = 0; i < allInbound.length; i += 5000) {
    const found = await options.db
      .collection<{ _id: string }>("inbound_messages")
      .find({ _id: { $in: allInbound.slice(i, i + 5000) } }, { projection: { _id: 1 } })
      .toArray();
    for (const document of found) stored.add(document._id);
  }
  for (const [conversationId, messages] of expectedInbound) {
    const missing = [...messages].filter((wamid) => !stored.has(wamid));
    lost += missing.length;
    if (missing.length) details.push(`${missing.length} inbound messages of ${conversationId} not stored`);
    const count = counts.get(conversationId) ?? 0;
    if (count > messages.size) {
      duplicated += count - messages.size;
      details.push(
        `conversation ${conversationId} counts ${count} messages, ${messages.size} distinct were sent`,
      );
    }
    if (count < messages.size && missing.length === 0) {
      lost += messages.size - count;
      details.push(
        `conversation ${conversationId} counts ${count} messages, ${messages.size} were acknowledged`,
      );
    }
  }

  const customers = await auditCustomers(options.db, options.tracked);
  lost += customers.lost;
  duplicated += customers.duplicated;
  details.push(...customers.details);

  const refusedInLog = options.refusedRequestIds.filter((id) => logged.has(id)).length;
  if (refusedInLog) details.push(`${refusedInLog} refused requests are in the raw topic`);
  return {
    attempted: options.tracked.length,
    acknowledged: acknowledged.length,
    inLog,
    lost,
    duplicated,
    refusedInLog,
    customers: customers.customers,
    merged: customers.merged,
    failedMerges: customers.failedMerges,
    resent: customers.resent,
    details,
  };
}
