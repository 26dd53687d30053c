import { readFileSync } from "node:fs";
import { MongoClient, type Collection } from "mongodb";
import { topicName } from "../../contracts/topics";
import {
  echoToPhoneNumber,
  largeHistoryChunk,
  largeHistoryCustomer,
} from "../../tests/fixtures/customer-channel-webhooks";
import { inboundDelivery, inboundMessageBodies, PHONE_NUMBER_ID } from "../../tests/fixtures/meta-webhooks";
import { readTopic } from "../../tests/support/kafka-records";
import { startServiceProcess, type ServiceProcess } from "../../tests/support/service-process";
import type { BenchRun } from "../bench-run";
import { sign, type SignedDelivery } from "../delivery-mix";
import {
  histogramBetween,
  histogramQuantile,
  seriesTotal,
  type HistogramWindow,
} from "../histogram-quantiles";
import { postDelivery } from "../http-load";
import { outcomes } from "../pipeline-window";
import { cpuBetween, cpuSnapshot } from "../process-cpu";
import { observedAbove, scrapeMetrics } from "../service-pauses";
import type { Phase, PhaseResult, Row } from "./phase";
import { fixed as f, verdict } from "./text";

const historyMessages = 5_000;
const echoCount = 3;
/** The chunk's last thread: the echoes go to its customer, so their records share its key. */
const echoCustomer = largeHistoryCustomer(49);
const sliceHistogram = "whatsapp_projector_batch_seconds";
/**
 * A bucket bound of sliceHistogram, so "no slice above it" is exact. The consumer heartbeats between
 * slices only: a slice must end well inside the group's 30 s session, or the group drops the consumer
 * and the partition's batch is fetched and applied again.
 */
const sliceLimitSeconds = "10";
const settleMs = 180_000;

interface Followed {
  /** From the history's POST. */
  postedMs: number;
  visibleMs: number | undefined;
}

interface ImportFigures {
  loadAverage: string;
  historyBytes: number;
  historyAnswerMs: number;
  /** From the history's POST until the projector had applied it and the echoes (its counters). */
  allAppliedMs: number | undefined;
  /** The history's business_app_messages documents, counted once all was applied. */
  historyStored: number;
  /** Each echo: when it was posted and when its document appeared, both from the history's POST. */
  echoes: Followed[];
  /** An inbound message posted after the echoes: another topic, the same consumer. */
  inbound: Followed;
  /** One echo on the idle pipeline before the import, POST to document. */
  quietEchoMs: number | undefined;
  slices: HistogramWindow | undefined;
  slicesAboveLimit: number;
  /** Where the echoes' records went; undefined when they were not all found behind the import. */
  partition: { number: number; historyAhead: number; sameKey: number } | undefined;
  cpuSeconds: Map<string, number>;
}

/**
 * A chat history import: one signed delivery of 5,000 messages (largeHistoryChunk, about 1.2 MB, as
 * Meta sends when a WhatsApp Business app number is onboarded), then right after it a few echoes to one
 * of its customers. Their records share that customer's key, so they queue on the same partition of
 * whatsapp.message.business-app.v1 behind the import's records: the time until they are applied is how
 * long the import held that partition. The projector applies at most 500 records per slice and commits
 * each, so its longest slice is the longest any partition waits for a commit.
 */
export const historyImportPhase: Phase = {
  name: "history import",
  run: async (run, earlier) => historyResult(await measureHistoryImport(run), earlier),
};

async function measureHistoryImport(run: BenchRun): Promise<ImportFigures> {
  const loadAverage = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  run.log(`history import: load average ${loadAverage}`);
  const env = run.serviceEnv("history");
  const start = (name: string, service: { entry: string; env: Record<string, string> }) =>
    startServiceProcess(name, service.entry, { ...env, ...service.env });
  const ingress = await start("ingress", run.code.ingress);
  const projector = await start("conversation-projector", run.code.projectors.conversation);
  const mongo = new MongoClient(run.stack.MONGODB_URI);
  const messages = mongo.db(env.MONGODB_DB).collection<{ _id: string }>("business_app_messages");
  const inboundMessages = mongo.db(env.MONGODB_DB).collection<{ _id: string }>("inbound_messages");
  const signed = (payload: Record<string, unknown>) =>
    sign({ kind: "other", payload, effects: { statuses: [], inbound: [], otherChanges: 1 } }, run.appSecret);
  const echoId = (name: string) => `wamid.${run.runId}.history-echo.${name}`;
  try {
    // Also the warm-up: connections, the topic's schema registered, the consumer fetching.
    const quietId = echoId("quiet");
    const quietPosted = performance.now();
    await postAccepted(ingress, signed(echoToPhoneNumber(largeHistoryCustomer(50), quietId, 0)));
    const [quietEchoMs] = await timesVisible(messages, [quietId], quietPosted, quietPosted + 60_000);
    run.log(
      `history import: an echo on the idle pipeline took ${f(quietEchoMs ?? NaN)} ms from POST to document`,
    );

    const history = signed(largeHistoryChunk(historyMessages));
    const echoIds = Array.from({ length: echoCount }, (_, i) => echoId(String(i)));
    const echoes = echoIds.map((id, i) => signed(echoToPhoneNumber(echoCustomer, id, 1000 + i)));
    const inboundId = echoId("inbound");
    const inbound = signed(
      inboundDelivery({
        ...inboundMessageBodies.text,
        id: inboundId,
        timestamp: String(Math.floor(Date.now() / 1000)),
      }),
    );
    const pids = { ingress: ingress.child.pid, conversation_projector: projector.child.pid };
    const metricsBefore = await scrapeMetrics(projector.operationsUrl);
    const cpuBefore = cpuSnapshot(pids);

    const posted = performance.now();
    const deadline = posted + settleMs;
    const historyAnswerMs = await postAccepted(ingress, history);
    // From the projector's counters, not by counting documents: a count every 250 ms makes the store
    // read the whole collection again and again while it is being written.
    const allApplied = timeUntil(
      async () =>
        outcomes(await scrapeMetrics(projector.operationsUrl)) - outcomes(metricsBefore) >=
        historyMessages + echoCount + 1,
      posted,
      250,
      deadline,
    );
    const echoPostedMs: number[] = [];
    for (const echo of echoes) {
      echoPostedMs.push(performance.now() - posted);
      await postAccepted(ingress, echo);
    }
    const inboundPostedMs = performance.now() - posted;
    await postAccepted(ingress, inbound);
    const [echoVisibleMs, [inboundVisibleMs]] = await Promise.all([
      timesVisible(messages, echoIds, posted, deadline),
      timesVisible(inboundMessages, [inboundId], posted, deadline),
    ]);
    const allAppliedMs = await allApplied;
    const metricsAfter = await scrapeOnceCommitted(projector);
    const cpuSeconds = cpuBetween(cpuBefore, cpuSnapshot(pids));
    return {
      loadAverage,
      historyBytes: history.body.length,
      historyAnswerMs,
      allAppliedMs,
      historyStored: await messages.countDocuments({ source: "history" }),
      echoes: echoPostedMs.map((postedMs, i) => ({ postedMs, visibleMs: echoVisibleMs[i] })),
      inbound: { postedMs: inboundPostedMs, visibleMs: inboundVisibleMs },
      quietEchoMs,
      slices: histogramBetween(metricsBefore, metricsAfter, sliceHistogram),
      slicesAboveLimit: observedAbove(metricsBefore, metricsAfter, sliceHistogram, sliceLimitSeconds).above,
      partition: await echoPartition(topicName("businessAppMessage", env.TOPIC_PREFIX!)),
      cpuSeconds,
    };
  } finally {
    await Promise.all([ingress.stop(), projector.stop()]);
    await mongo.close();
    await run.removeBenchData("history");
  }
}

/**
 * Milliseconds from `since` until each document exists, looked up every 100 ms; undefined past
 * `deadline`. One lookup by `_id` each: FerretDB answers `$in` by reading the whole collection.
 */
async function timesVisible(
  collection: Collection<{ _id: string }>,
  ids: readonly string[],
  since: number,
  deadline: number,
): Promise<(number | undefined)[]> {
  const found = new Map<string, number>();
  while (found.size < ids.length && performance.now() < deadline) {
    for (const id of ids)
      if (!found.has(id) && (await collection.findOne({ _id: id }, { projection: { _id: 1 } })))
        found.set(id, performance.now() - since);
    if (found.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return ids.map((id) => found.get(id));
}

/** POSTs a delivery and returns the milliseconds to its answer; anything but 200 ends the phase. */
async function postAccepted(ingress: ServiceProcess, delivery: SignedDelivery): Promise<number> {
  const started = performance.now();
  const response = await postDelivery(ingress.baseUrl, delivery);
  const answer = await response.text();
  if (response.status !== 200)
    throw new Error(
      `the ingress answered ${response.status} to a ${delivery.body.length}-byte delivery: ${answer}`,
    );
  return performance.now() - started;
}

/** Milliseconds from `since` until `done` holds, asked every `everyMs`; undefined once past `deadline`. */
async function timeUntil(
  done: () => Promise<boolean>,
  since: number,
  everyMs: number,
  deadline: number,
): Promise<number | undefined> {
  for (;;) {
    if (await done()) return performance.now() - since;
    if (performance.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The projector's /metrics once every slice it applied is committed (no lag left), or after 10 s. */
async function scrapeOnceCommitted(projector: ServiceProcess): Promise<Map<string, number>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const metrics = await scrapeMetrics(projector.operationsUrl);
    if (seriesTotal(metrics, "whatsapp_projector_consumer_lag") === 0 || Date.now() > deadline)
      return metrics;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Reads the topic back: the echoes' records must carry the key of the customer's history and sit on
 * its partition after every history record there (those are the records they waited behind).
 */
async function echoPartition(topic: string): Promise<ImportFigures["partition"]> {
  const expected = 1 + historyMessages + echoCount;
  const records = await readTopic<{ source: string }>(topic, (read) => read.length >= expected, 60_000);
  const key = `${PHONE_NUMBER_ID}:${echoCustomer}`;
  const sameKey = records.filter((record) => record.key === key);
  const echoes = sameKey.filter((record) => record.value.source === "echo");
  const partitions = new Set(sameKey.map((record) => record.partition));
  const [number] = partitions;
  if (echoes.length !== echoCount || partitions.size !== 1 || number === undefined) return undefined;
  const history = records.filter((r) => r.partition === number && r.value.source === "history");
  const firstEcho = Math.min(...echoes.map((record) => Number(record.offset)));
  if (history.some((record) => Number(record.offset) > firstEcho)) return undefined;
  return { number, historyAhead: history.length, sameKey: sameKey.length };
}

function historyResult(figures: ImportFigures, earlier: Readonly<Record<string, unknown>>): PhaseResult {
  const { slices, partition, cpuSeconds } = figures;
  const echoWaits = figures.echoes.map(waitOf);
  const longestEchoWait = echoWaits.includes(undefined) ? undefined : Math.max(...(echoWaits as number[]));
  const sliced = slices !== undefined && slices.count > 0 ? slices : undefined;
  const sliceMet = sliced !== undefined && figures.slicesAboveLimit === 0;
  const cpu = (group: string) => cpuSeconds.get(group) ?? NaN;
  const brokerCeiling = earlier.broker_records_per_s;
  const rows: Row[] = [
    [
      `history import, ${historyMessages} messages in one delivery`,
      `answered in ${f(figures.historyAnswerMs)} ms`,
      `${f(figures.historyBytes / 1e6, 2)} MB body; load average ${figures.loadAverage} before the phase` +
        (typeof brokerCeiling === "number" ? `; broker ceiling ${f(brokerCeiling)} records/s` : ""),
    ],
    [
      "  POST to all of it applied",
      secondsText(figures.allAppliedMs),
      `${figures.historyStored} of ${historyMessages} history documents in business_app_messages after`,
    ],
    [
      "  projector slices (500 records at most)",
      sliced ? `p99 ${f(histogramQuantile(sliced, 0.99), 2)} s, largest ${largestBucket(sliced)}` : "none",
      `no slice > ${sliceLimitSeconds} s: ${verdict(sliceMet)}; ` +
        (sliced ? `${sliced.count} slices, mean ${f(sliced.sum / sliced.count, 2)} s` : ""),
    ],
    [
      `  ${echoCount} echoes right after it, same key`,
      `applied ${secondsText(longestEchoWait)} after their POST`,
      (partition
        ? `behind ${partition.historyAhead} history records on partition ${partition.number}`
        : "NOT behind the import on one partition: check the keys") +
        `; an echo on the idle pipeline: ${f(figures.quietEchoMs ?? NaN)} ms`,
    ],
    [
      "  an inbound message right after them",
      `applied ${secondsText(waitOf(figures.inbound))} after its POST`,
      "whatsapp.message.inbound.v1: another topic, the same consumer",
    ],
    [
      "  CPU from POST to applied",
      `ours ${f(cpu("ingress") + cpu("conversation_projector"), 1)} s, store ${f(cpu("ferretdb") + cpu("postgres"), 1)} s`,
      `ingress ${f(cpu("ingress"), 1)}, conversation projector ${f(cpu("conversation_projector"), 1)}, ` +
        `FerretDB ${f(cpu("ferretdb"), 1)}, PostgreSQL ${f(cpu("postgres"), 1)}, Kafka ${f(cpu("kafka"), 1)}`,
    ],
  ];
  const ms = (value: number | undefined) => (value === undefined ? null : Math.round(value));
  const json = {
    history_import: {
      load_average: figures.loadAverage,
      body_bytes: figures.historyBytes,
      answer_ms: ms(figures.historyAnswerMs),
      all_applied_ms: ms(figures.allAppliedMs),
      history_documents: figures.historyStored,
      slices: sliced?.count ?? 0,
      slice_p99_s: sliced ? Number(histogramQuantile(sliced, 0.99).toFixed(3)) : null,
      slice_largest: sliced ? largestBucket(sliced) : null,
      slice_mean_s: sliced ? Number((sliced.sum / sliced.count).toFixed(3)) : null,
      echo_wait_ms: echoWaits.map(ms),
      inbound_wait_ms: ms(waitOf(figures.inbound)),
      quiet_echo_ms: ms(figures.quietEchoMs),
      partition: partition ?? null,
      cpu_s: Object.fromEntries([...cpuSeconds].map(([group, s]) => [group, Number(s.toFixed(2))])),
    },
  };
  const targets = {
    [`history import: no projector slice over ${sliceLimitSeconds} s`]: sliceMet,
    "history import: every message stored, the echoes behind it on one partition":
      partition !== undefined && figures.historyStored === historyMessages,
  };
  return { rows, json, targets };
}

const waitOf = (followed: Followed) =>
  followed.visibleMs === undefined ? undefined : followed.visibleMs - followed.postedMs;

const secondsText = (ms: number | undefined) =>
  ms === undefined ? `not within ${settleMs / 1000} s` : `${f(ms / 1000, 2)} s`;

/** "in (1, 2.5] s": the bucket of the largest observation, the most a histogram says of it. */
function largestBucket(window: HistogramWindow): string {
  let lower = 0;
  for (const { upperBound, cumulative } of window.buckets) {
    if (cumulative >= window.count)
      return upperBound === Infinity ? `over ${lower} s` : `in (${lower}, ${upperBound}] s`;
    lower = upperBound;
  }
  return `over ${lower} s`;
}
