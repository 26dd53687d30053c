import type { Db } from "mongodb";
import { statusEventId } from "../ingress/domain/delivery-parser";
import type { SignedDelivery } from "./delivery-mix";
import { percentile, postDelivery, slowestFirst } from "./http-load";

export interface EndToEndLatency {
  deliveries: number;
  measured: number;
  notVisible: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  refused: number;
  /** POST to 200 of every delivery sent (the ingress's answer once Kafka acknowledged its records). */
  ackP50Ms: number;
  ackP99Ms: number;
  pollIntervalMs: number;
  sampleEvery: number;
  /** The slowest timed deliveries, slowest first, with the wall-clock time each was sent: to set a tail
   * beside the database's and the broker's logs (checkpoints, autovacuum, segment deletion). */
  slowest: { sentAt: Date; latencyMs: number; effects: number }[];
}

/**
 * Sends deliveries at a fixed rate and measures, per delivery, the time from its POST to the moment all
 * it changes is visible (each of its statuses in its message's timeline, or the conversation written
 * after the inbound messages). Each poll (every pollIntervalMs, 50 ms) looks up the documents of every pending delivery
 * by `_id` equality, in order, up to the first one still missing: `_id: {$in}` would read a whole
 * collection into FerretDB on every poll and slow the projectors being measured. At high rates only every
 * `sampleEvery`-th delivery is timed: the lookups of every pending delivery, 20 times a second, are a
 * load of their own on the MongoDB-wire server the projectors write to, and one that grows with the
 * latency it measures (at 200 deliveries/s, timing all of them made the p50 8.4 s; see the README).
 * The benchmark's own end-to-end figure comes from the projectors' freshness histograms; a sparse sample
 * timed here cross-checks it from outside.
 */
export async function measureEndToEnd(options: {
  baseUrl: string;
  db: Db;
  deliveries: readonly SignedDelivery[];
  perSecond: number;
  pollIntervalMs?: number;
  /** Time every n-th delivery only (all are sent): see above. */
  sampleEvery?: number;
  settleMs?: number;
}): Promise<EndToEndLatency> {
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const sampleEvery = options.sampleEvery ?? 1;
  const collections = {
    status: options.db.collection("message_statuses"),
    conversation: options.db.collection("conversations"),
  };
  /** A document to look up by `_id`; for a status, the timeline entry it must hold. */
  type Effect = { collection: keyof typeof collections; id: string; eventId?: string };
  // delivery -> effects still missing, in the order they are looked up; only deliveries already sent.
  const missing = new Map<number, Effect[]>();
  const sentAt = new Map<number, number>();
  const timed: { index: number; latencyMs: number }[] = [];
  const acknowledgedMs: number[] = [];
  let refused = 0;
  const sends: Promise<void>[] = [];
  let stopPolling = false;

  const expected = options.deliveries.map((delivery) => {
    const effects = new Map<string, Effect>();
    for (const s of delivery.effects.statuses) {
      const eventId = statusEventId(s.wamid, s.status, s.timestamp * 1000);
      effects.set(`s:${eventId}`, { collection: "status", id: s.wamid, eventId });
    }
    for (const m of delivery.effects.inbound)
      effects.set(`c:${m.conversationId}`, { collection: "conversation", id: m.conversationId });
    return [...effects.values()];
  });
  const visible = async (effect: Effect) => {
    const document = await collections[effect.collection].findOne({ _id: effect.id } as never, {
      projection: effect.eventId ? { "timeline.eventId": 1 } : { _id: 1 },
    });
    if (!document || !effect.eventId) return document !== null;
    return (document.timeline as { eventId: string }[]).some((entry) => entry.eventId === effect.eventId);
  };
  // Up to 16 lookups at once per delivery once its first document is there: checked one after another,
  // a delivery of 100 statuses would add 100 round trips to its own latency.
  const checkDelivery = async (index: number) => {
    const left = missing.get(index)!;
    while (left.length > 0 && (await visible(left[0]!))) {
      left.shift();
      const found = await Promise.all(left.slice(0, 15).map(visible));
      const firstMissing = found.indexOf(false);
      left.splice(0, firstMissing === -1 ? found.length : firstMissing);
    }
    if (left.length === 0) {
      timed.push({ index, latencyMs: Date.now() - sentAt.get(index)! });
      missing.delete(index);
    }
  };
  const poller = (async () => {
    while (!stopPolling) {
      const started = Date.now();
      const pending = [...missing.keys()];
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < pending.length; i = next++) await checkDelivery(pending[i]!);
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, pollIntervalMs - (Date.now() - started))),
      );
    }
  })();

  const intervalMs = 1000 / options.perSecond;
  const start = Date.now();
  for (const [index, delivery] of options.deliveries.entries()) {
    const due = start + index * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sentAt.set(index, Date.now());
    if (index % sampleEvery === 0 && expected[index]!.length > 0) missing.set(index, [...expected[index]!]);
    const posted = performance.now();
    sends.push(
      postDelivery(options.baseUrl, delivery).then(
        async (response) => {
          await response.arrayBuffer();
          if (response.status !== 200) refused++;
          else acknowledgedMs.push(performance.now() - posted);
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
  const latencies = timed.map((t) => t.latencyMs).sort((a, b) => a - b);
  acknowledgedMs.sort((a, b) => a - b);
  const slowest = slowestFirst(timed).map(({ index, latencyMs }) => ({
    sentAt: new Date(sentAt.get(index)!),
    latencyMs,
    effects: expected[index]!.length,
  }));
  return {
    deliveries: options.deliveries.length,
    measured: latencies.length,
    notVisible: missing.size,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    refused,
    ackP50Ms: Number(percentile(acknowledgedMs, 50).toFixed(1)),
    ackP99Ms: Number(percentile(acknowledgedMs, 99).toFixed(1)),
    pollIntervalMs,
    sampleEvery,
    slowest,
  };
}
