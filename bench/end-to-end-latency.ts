import type { Db } from "mongodb";
import type { SignedDelivery } from "./delivery-mix";
import { percentile, postDelivery } from "./http-load";

export interface EndToEndLatency {
  deliveries: number;
  measured: number;
  notVisible: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  refused: number;
  pollIntervalMs: number;
}

/**
 * Sends deliveries at a fixed rate and measures, per delivery, the time from its POST to the moment every
 * document it creates is visible (the last status document, or the conversation written after the
 * inbound messages). MongoDB is polled every pollIntervalMs (50 ms) for the ids still pending: one
 * query per read model, since FerretDB scans a collection for every read (a tighter poll slowed the
 * projectors it was measuring).
 */
export async function measureEndToEnd(options: {
  baseUrl: string;
  db: Db;
  deliveries: readonly SignedDelivery[];
  perSecond: number;
  pollIntervalMs?: number;
  settleMs?: number;
}): Promise<EndToEndLatency> {
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const statuses = options.db.collection("message_statuses");
  const conversations = options.db.collection("conversations");
  // pending document id -> deliveries waiting for it; delivery -> ids still missing
  const missing = new Map<number, Set<string>>();
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const waitingStatus = new Map<string, number>();
  const waitingConversation = new Map<string, number>();
  let refused = 0;
  const sends: Promise<void>[] = [];
  let stopPolling = false;

  const resolveSeen = (ids: string[], waiting: Map<string, number>, now: number) => {
    for (const id of ids) {
      const delivery = waiting.get(id);
      if (delivery === undefined) continue;
      waiting.delete(id);
      const left = missing.get(delivery)!;
      left.delete(id);
      if (left.size === 0) {
        latencies.push(now - sentAt.get(delivery)!);
        missing.delete(delivery);
      }
    }
  };
  const poller = (async () => {
    while (!stopPolling) {
      const started = Date.now();
      const [s, c] = await Promise.all([
        waitingStatus.size
          ? statuses
              .find({ _id: { $in: [...waitingStatus.keys()] } } as never, { projection: { _id: 1 } })
              .toArray()
          : [],
        waitingConversation.size
          ? conversations
              .find({ _id: { $in: [...waitingConversation.keys()] } } as never, { projection: { _id: 1 } })
              .toArray()
          : [],
      ]);
      const now = Date.now();
      resolveSeen(
        s.map((d) => String(d._id)),
        waitingStatus,
        now,
      );
      resolveSeen(
        c.map((d) => String(d._id)),
        waitingConversation,
        now,
      );
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, pollIntervalMs - (Date.now() - started))),
      );
    }
  })();

  const intervalMs = 1000 / options.perSecond;
  const start = Date.now();
  options.deliveries.forEach((delivery, index) => {
    const ids = new Set<string>();
    for (const s of delivery.effects.statuses) {
      ids.add(s.wamid);
      waitingStatus.set(s.wamid, index);
    }
    for (const m of delivery.effects.inbound) {
      ids.add(m.conversationId);
      waitingConversation.set(m.conversationId, index);
    }
    if (ids.size > 0) missing.set(index, ids);
  });
  for (const [index, delivery] of options.deliveries.entries()) {
    const due = start + index * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sentAt.set(index, Date.now());
    sends.push(
      postDelivery(options.baseUrl, delivery).then(
        async (response) => {
          await response.arrayBuffer();
          if (response.status !== 200) refused++;
        },
        () => void refused++,
      ),
    );
  }
  await Promise.all(sends);
  const settleDeadline = Date.now() + (options.settleMs ?? 15_000);
  while (missing.size > 0 && Date.now() < settleDeadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  stopPolling = true;
  await poller;
  latencies.sort((a, b) => a - b);
  return {
    deliveries: options.deliveries.length,
    measured: latencies.length,
    notVisible: missing.size,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    refused,
    pollIntervalMs,
  };
}
