import path from "node:path";
import { MongoClient } from "mongodb";
import { signBody } from "../ingress/domain/signature";
import { stackAddresses } from "./stack-addresses";
import { removeRunData } from "../tests/support/run-data";
import { serviceCode } from "./service-code";
import { startServiceProcess, type ServiceProcess } from "../tests/support/service-process";
import { deliveryMix, seededRandom, sign, statusPayload, type SignedDelivery } from "./delivery-mix";
import { auditEffects, type Audit } from "./effects-audit";
import { webhookPath } from "./http-load";
import { percentile } from "./http-load";
import { poisonKinds, poisonMix, verifyPoison } from "./poison-deliveries";
import { deadLetters, metricTotal, scrapeMetrics, waitUntilSettled } from "./projector-health";
import { SignedLoad, type Attempt } from "./signed-load";
import {
  killBroker,
  killPostgres,
  processRuns,
  restartStack,
  stackKind,
  portRefuses,
  stackPorts,
  stopMongo,
  stopRegistry,
} from "./stack-faults";
import { residentMiB, startUnsignedFlood, type UnsignedFlood } from "./unsigned-flood";

/**
 * `make faults`: steady signed load against the three services while the broker, a projector and the
 * MongoDB-wire server fail in turn, then duplicated and shuffled deliveries, 10,000 bad requests, poison
 * records, an unsigned flood, the schema registry stopped and PostgreSQL killed. After each scenario:
 * every delivery answered 200 is in the raw topic and its effects are in the read models exactly once,
 * no service died, plus the scenario's own checks (named in its summary line). Loopback only; stops by
 * itself; exits non-zero when any check failed. Last line: the summary the issue asks for.
 */
const stack = stackAddresses();

const runId = `f${Date.now().toString(36)}`;
const logDirectory = path.resolve(__dirname, "../.stack/logs");
const appSecret = "faults-app-secret";
const rate = Number(process.env.FAULTS_RATE ?? 100);
const outageMs = 10_000;
// FAULTS_SCENARIOS=6,9 runs only those (a quicker look at one fault); all by default.
const chosenScenarios = process.env.FAULTS_SCENARIOS?.split(",").map((n) => Number(n.trim()));
const selected = (scenario: number) => !chosenScenarios || chosenScenarios.includes(scenario);
const env = {
  ...stack,
  TOPIC_PREFIX: `faults-${runId}.`,
  MONGODB_DB: `whatsapp_faults_${runId}`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "faults-verify",
  // info by default: the logs (.stack/logs/faults-<run>-<service>.log) are what a failed run leaves to read.
  LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? "info",
};
const groups = {
  status: `${env.TOPIC_PREFIX}whatsapp-status-projector`,
  conversation: `${env.TOPIC_PREFIX}whatsapp-conversation-projector`,
};
const log = (message: string) =>
  console.error(`[faults] ${new Date().toISOString().slice(11, 19)} ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const code = serviceCode();
const entries = { ingress: code.ingress, ...code.projectors };
type ServiceName = keyof typeof entries;
const services = {} as Record<ServiceName, ServiceProcess>;
const crashes: string[] = [];
let flood: UnsignedFlood | undefined;

async function start(name: ServiceName): Promise<void> {
  // Each service's output, kept with the run's data for a post-mortem (a restart appends).
  const logFile = path.join(logDirectory, `faults-${runId}-${name}.log`);
  const { entry, env: entryEnv } = entries[name];
  services[name] = await startServiceProcess(name, entry, { ...env, ...entryEnv }, 180_000, logFile);
  services[name].child.once("exit", (code, signal) => {
    if (signal !== "SIGKILL" && signal !== "SIGTERM") crashes.push(`${name} exited (${code ?? signal})`);
  });
}

/** Answers 200 given while the broker was down: requests started after the kill and answered before the restart. */
interface Outage {
  from: number;
  to: number;
}
const brokerOutages: Outage[] = [];
const brokerScenario = "1 broker killed 10 s";

async function main(): Promise<void> {
  const kind = stackKind();
  log(`stack: ${kind}; topics ${env.TOPIC_PREFIX}*; database ${env.MONGODB_DB}; ${rate} deliveries/s`);
  await start("ingress");
  await start("status");
  await start("conversation");
  const load = new SignedLoad(services.ingress.baseUrl);
  // Status batches of up to 20: the read models on FerretDB grow slower than with the bench's batches of 100.
  const mix = deliveryMix({ runId, seed: 7, largestStatusBatch: 20 });
  const steady = () => sign(mix(), appSecret);
  const mongo = new MongoClient(stack.MONGODB_URI);
  const refusedRequestIds: string[] = [];
  const results: { scenario: string; checks: string; audit: Audit; notes: string[] }[] = [];
  const fail = (detail: string) => results.at(-1)!.audit.details.push(detail);
  const attemptsStarted = (from: number, to: number): Attempt[] =>
    load.tracked.flatMap((t) => t.attempts.filter((a) => a.startedAt >= from && a.startedAt < to));
  const byStatus = (attempts: readonly Attempt[]): string => {
    const counts = new Map<number, number>();
    for (const a of attempts) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
    return [...counts]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${n} x ${status === 0 ? "no answer" : status}`)
      .join(", ");
  };
  const projectorsApplied = async () =>
    Promise.all(
      (["status", "conversation"] as const).map(async (name) =>
        metricTotal(
          await scrapeMetrics(services[name].operationsUrl),
          "whatsapp_projector_events_applied_total",
        ),
      ),
    );

  /** Every scenario's audit; `checks` says what the scenario checks besides (its summary line shows it). */
  const check = async (scenario: string, checks: string, notes: string[]) => {
    log(`${scenario}: load stopped; waiting for every delivery to be acknowledged`);
    await load.drain();
    log(`${scenario}: reading the raw topic and waiting for the projectors to reach its end`);
    const outageAnswers = load.tracked.flatMap((t) =>
      t.attempts.filter(
        (a) => a.status === 200 && brokerOutages.some((o) => a.startedAt >= o.from && a.answeredAt < o.to),
      ),
    );
    const refusedDuringOutage = load.tracked.flatMap((t) =>
      t.attempts.filter(
        (a) => a.status === 503 && brokerOutages.some((o) => a.startedAt >= o.from && a.startedAt < o.to),
      ),
    );
    if (scenario === brokerScenario)
      notes.push(
        `${refusedDuringOutage.length} answers 503 during the broker outage, ${outageAnswers.length} answers 200`,
      );
    const dead = (Object.keys(services) as ServiceName[]).filter(
      (name) => services[name].child.exitCode !== null,
    );
    const audit = await auditEffects({
      tracked: load.tracked,
      refusedRequestIds,
      topicPrefix: env.TOPIC_PREFIX,
      groups,
      db: mongo.db(env.MONGODB_DB),
    });
    if (outageAnswers.length)
      audit.details.push(`${outageAnswers.length} deliveries answered 200 while the broker was down`);
    if (dead.length || crashes.length)
      audit.details.push(`services down: ${[...dead, ...crashes].join(", ")}`);
    results.push({ scenario, checks, audit, notes });
    log(
      `${scenario}: ${audit.attempted} attempted, ${audit.acknowledged} acknowledged, ${audit.inLog} in log, ${audit.lost} lost, ${audit.duplicated} duplicated; ${notes.join("; ")}`,
    );
    for (const detail of audit.details.slice(0, 10)) log(`  ! ${detail}`);
  };

  // Warm-up and a clean baseline of the load.
  load.start(steady, rate);
  await sleep(5000);
  if (!selected(1)) await load.drain();

  // 1. The broker killed (-9) for 10 s, then restarted.
  if (selected(1)) {
    const kill = Date.now();
    log("scenario 1: kill -9 the Kafka broker");
    await killBroker();
    await sleep(outageMs);
    const restart = Date.now();
    brokerOutages.push({ from: kill, to: restart });
    log("restarting the broker");
    await restartStack(kind);
    log(`broker answers again after ${seconds(Date.now() - restart)}`);
    await sleep(5000);
    await check(brokerScenario, "no 200 while the broker was down", [
      `broker down ${seconds(restart - kill)}`,
    ]);
  }

  // 2. A projector killed (-9) mid-batch, then restarted: each of the two in turn, under load.
  if (selected(2)) {
    load.start(steady, rate * 2);
    await sleep(3000);
    for (const name of ["status", "conversation"] as const) {
      log(`scenario 2: kill -9 the ${name} projector`);
      await services[name].kill();
      await sleep(2000);
      await start(name);
    }
    await sleep(3000);
    await check("2 projectors killed", "each projector kill -9 under 2x load, restarted", []);
  }

  // 3. The MongoDB-wire server stopped for 10 s, then restarted.
  if (selected(3)) {
    load.start(steady, rate);
    await sleep(2000);
    log("scenario 3: stop the MongoDB-wire server");
    const stopped = Date.now();
    await stopMongo();
    // Writes in flight when it stopped may still land; none may after that.
    await sleep(2000);
    const appliedEarly = await projectorsApplied();
    await sleep(Math.max(0, outageMs - 2000));
    const appliedLate = await projectorsApplied();
    const stillRefused = await portRefuses(stackPorts.mongodb);
    log("restarting the MongoDB-wire server");
    await restartStack(kind);
    const back = Date.now();
    await sleep(5000);
    await check(
      "3 MongoDB-wire server stopped 10 s",
      "its port refused connections, projectors applied nothing meanwhile and resume, nothing lost",
      [
        `MongoDB-wire server down ${seconds(back - stopped)} (port refusing connections)`,
        `events applied while it was down: status ${appliedLate[0]! - appliedEarly[0]!}, conversation ${appliedLate[1]! - appliedEarly[1]!}`,
      ],
    );
    if (!stillRefused)
      fail("the MongoDB-wire server answered again before it was restarted: the outage did not last");
    if (appliedLate.some((applied, i) => applied > appliedEarly[i]!))
      fail(
        "a projector applied events while the MongoDB-wire server was stopped: the fault did not take effect",
      );
  }

  // 4. 10% of deliveries sent twice, the statuses of each message in shuffled order.
  if (selected(4)) {
    const random = seededRandom(4);
    const shuffled: SignedDelivery[] = [];
    for (let m = 0; m < 600; m++) {
      const wamid = `wamid.${runId}.shuffled${m}`;
      for (const [i, status] of ["sent", "delivered", "read"].entries()) {
        const statuses = [{ wamid, status, timestamp: 1_750_100_000 + m * 10 + i }];
        shuffled.push(
          sign(
            {
              kind: "statuses",
              payload: statusPayload(statuses),
              effects: { statuses, inbound: [], otherChanges: 0 },
            },
            appSecret,
          ),
        );
      }
    }
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const withDuplicates = shuffled.flatMap((d) => (random() < 0.1 ? [d, d] : [d]));
    log(
      `scenario 4: ${withDuplicates.length} deliveries, ${withDuplicates.length - shuffled.length} sent twice, statuses shuffled`,
    );
    let cursor = 0;
    load.start(() => withDuplicates[cursor++], rate * 2);
    while (cursor < withDuplicates.length) await sleep(200);
    const notRead = await mongo
      .db(env.MONGODB_DB)
      .collection("message_statuses")
      .countDocuments({ _id: { $regex: `^wamid\\.${runId}\\.shuffled` }, status: { $ne: "read" } } as never);
    await check("4 duplicates and shuffled order", "600/600 messages end read with 3 timeline entries", []);
    const readCount = await mongo
      .db(env.MONGODB_DB)
      .collection("message_statuses")
      .countDocuments({
        _id: { $regex: `^wamid\\.${runId}\\.shuffled` },
        status: "read",
        "timeline.2": { $exists: true },
        "timeline.3": { $exists: false },
      } as never);
    results
      .at(-1)!
      .notes.push(
        `${readCount}/600 messages read with exactly 3 timeline entries (${notRead} not read when the load ended)`,
      );
    if (readCount !== 600) fail(`${600 - readCount} shuffled messages did not end as read with 3 entries`);
  }

  // 5. 10,000 bad requests while the steady load goes on.
  if (selected(5)) {
    load.start(steady, rate);
    const bad = await sendBadRequests(services.ingress.baseUrl, 10_000, refusedRequestIds, load);
    await check("5 bad requests", "each bad request gets its expected answer, none in the log", [
      bad.summary,
    ]);
    if (bad.unexpected)
      fail(`${bad.unexpected} bad requests got an unexpected answer: ${bad.examples.join("; ")}`);
  }

  if (selected(6)) await poisonRecords();
  if (selected(7)) await unsignedFlood();
  if (selected(8)) await registryStopped();
  if (selected(9)) await postgresKilled();

  /** 6. Poison records: one delivery in ten carries an event no store holds as sent. */
  async function poisonRecords() {
    const poison = poisonMix(runId);
    let sequence = 0;
    const deadBefore = await deadLetters(env.TOPIC_PREFIX);
    log("scenario 6: poison records mixed into the load");
    load.start(() => sign(sequence++ % 10 === 9 ? poison.next() : mix(), appSecret), rate);
    await sleep(20_000);
    await check(
      "6 poison records",
      "each stored ($, dotted keys, nested arrays only in messageJson; U+0000 as U+FFFD), no partition stalled, lag 0, /readyz 200, no dead letter",
      [],
    );
    const problems = await verifyPoison(mongo.db(env.MONGODB_DB), poison.sent);
    const unsettled = (
      await Promise.all(
        (["status", "conversation"] as const).map((name) =>
          waitUntilSettled(name, services[name].operationsUrl, 90_000),
        ),
      )
    ).flat();
    const dead = await deadLetters(env.TOPIC_PREFIX);
    const perKind = poisonKinds.map((kind) => `${poison.sent.filter((s) => s.kind === kind).length} ${kind}`);
    results
      .at(-1)!
      .notes.push(
        `${poison.sent.length} poison deliveries (${perKind.join(", ")}), ${poison.sent.length - problems.length} stored as expected`,
        `projectors settled: ${unsettled.length ? unsettled.join(", ") : "stalled 0, lag 0, /readyz 200"}`,
        `${dead.count - deadBefore.count} dead letters in this scenario${
          dead.reasons.size
            ? ` (${[...dead.reasons].map(([reason, n]) => `${n} x ${reason}`).join("; ")})`
            : ""
        }`,
      );
    for (const problem of problems.slice(0, 5)) fail(problem);
    if (problems.length > 5) fail(`${problems.length - 5} more poison records stored wrongly`);
    for (const problem of unsettled) fail(problem);
    if (dead.count > deadBefore.count) fail(`${dead.count - deadBefore.count} records dead-lettered`);
  }

  /** 7. Unsigned large bodies and slow bodies beside the signed load: goodput and memory must hold. */
  async function unsignedFlood() {
    const floodMs = 20_000;
    const bodyReadTimeoutMs = 15_000;
    const ingressPid = services.ingress.child.pid!;
    load.start(steady, rate);
    await sleep(12_000);
    const rssBefore = residentMiB(ingressPid);
    log(`scenario 7: unsigned flood for ${seconds(floodMs)} (ingress resident memory ${rssBefore} MiB)`);
    const floodStart = Date.now();
    flood = await startUnsignedFlood({
      port: services.ingress.port,
      path: webhookPath,
      unsignedConnections: 200,
      unsignedBodyBytes: 3_000_000,
      slowConnections: 50,
      slowBodyBytes: 1_048_576,
    });
    let rssPeak = rssBefore;
    while (Date.now() - floodStart < floodMs) {
      await sleep(250);
      rssPeak = Math.max(rssPeak, residentMiB(ingressPid));
    }
    const floodEnd = Date.now();
    const attackers = await flood.stop();
    flood = undefined;
    refusedRequestIds.push(...attackers.requestIds);
    await sleep(5000);
    const rssAfter = residentMiB(ingressPid);
    const window = (from: number, to: number) => {
      const attempts = attemptsStarted(from, to);
      const answered200 = load.tracked.flatMap((t) =>
        t.attempts.filter((a) => a.status === 200 && a.answeredAt >= from && a.answeredAt < to),
      );
      const latencies = attempts.map((a) => a.answeredAt - a.startedAt).sort((a, b) => a - b);
      return {
        perSecond: answered200.length / ((to - from) / 1000),
        p99: percentile(latencies, 99),
        statuses: byStatus(attempts),
      };
    };
    const before = window(floodStart - 10_000, floodStart);
    const during = window(floodStart, floodEnd);
    await check(
      "7 unsigned flood",
      "unsigned get 401/503 (or a reset) and no 200, slow bodies cut by 408 within the 15 s body read timeout, signed 200/s during >= 90% of before, ingress memory under before + 384 MiB",
      [],
    );
    const list = (counts: Record<string, number>) =>
      Object.entries(counts)
        .map(([outcome, n]) => `${n} x ${outcome}`)
        .join(", ");
    results
      .at(-1)!
      .notes.push(
        `signed 200/s before ${before.perSecond.toFixed(1)} (p99 ${before.p99} ms), during ${during.perSecond.toFixed(1)} (p99 ${during.p99} ms; ${during.statuses})`,
        `ingress VmRSS before ${rssBefore} MiB, peak ${rssPeak} MiB, after ${rssAfter} MiB`,
        `200 unsigned 3 MB POSTs: ${list(attackers.unsigned)}`,
        `50 slow bodies: ${list(attackers.slow)}, cut after ${seconds(attackers.slowCutMs.min ?? 0)} to ${seconds(attackers.slowCutMs.max)}`,
      );
    const unexpectedUnsigned = Object.keys(attackers.unsigned).filter(
      (outcome) =>
        !["401", "503", "connection reset before an answer", "closed before an answer"].includes(outcome),
    );
    if (unexpectedUnsigned.length) fail(`unsigned POSTs answered ${unexpectedUnsigned.join(", ")}`);
    if (!attackers.unsigned["401"]) fail("no unsigned POST was answered 401");
    const slowCut = attackers.slow["408"] ?? 0;
    if (slowCut < 50 || Object.keys(attackers.slow).some((outcome) => outcome !== "408"))
      fail(`slow bodies: ${list(attackers.slow)} (expected at least 50, all 408)`);
    if (attackers.slowCutMs.max > bodyReadTimeoutMs + 5000)
      fail(`slow bodies cut after ${attackers.slowCutMs.min} to ${attackers.slowCutMs.max} ms`);
    if (during.perSecond < 0.9 * before.perSecond)
      fail(`signed goodput fell to ${during.perSecond.toFixed(1)}/s from ${before.perSecond.toFixed(1)}/s`);
    if (rssPeak > rssBefore + 384)
      fail(`ingress resident memory peaked at ${rssPeak} MiB (${rssBefore} MiB before)`);
  }

  /** 8. The schema registry stopped for 30 s: the services go on with the schemas they hold. */
  async function registryStopped() {
    load.start(steady, rate);
    await sleep(3000);
    log("scenario 8: stop the schema registry");
    const appliedBefore = await projectorsApplied();
    const stopped = Date.now();
    await stopRegistry();
    await sleep(30_000);
    const appliedDuring = await projectorsApplied();
    const stillRefused = await portRefuses(stackPorts.registry);
    const restart = Date.now();
    log("restarting the schema registry");
    await restartStack(kind);
    const back = Date.now();
    log(`registry answers again after ${seconds(back - restart)}`);
    await sleep(5000);
    const outage = attemptsStarted(stopped, back);
    await check(
      "8 schema registry stopped 30 s",
      "its port refused connections, every signed delivery answered 200 while the registry was down, both projectors apply meanwhile",
      [
        `registry down ${seconds(back - stopped)} (${seconds(restart - stopped)} stopped, ${seconds(back - restart)} starting)`,
        `answers meanwhile: ${byStatus(outage)}`,
        `events applied while stopped: status ${appliedDuring[0]! - appliedBefore[0]!}, conversation ${appliedDuring[1]! - appliedBefore[1]!}`,
      ],
    );
    if (!stillRefused)
      fail("the schema registry answered again before it was restarted: the outage did not last");
    const refused = outage.filter((a) => a.status !== 200).length;
    if (refused) fail(`${refused} signed deliveries not answered 200 while the registry was down`);
    if (appliedDuring.some((applied, i) => applied <= appliedBefore[i]!))
      fail("a projector applied nothing while the registry was stopped");
  }

  /** 9. PostgreSQL (the MongoDB-wire server's storage) killed with -9 mid-write, restarted after 5 s. */
  async function postgresKilled() {
    load.start(steady, rate);
    await sleep(3000);
    log("scenario 9: kill -9 the PostgreSQL postmaster");
    const killed = Date.now();
    const { postmaster, backends } = await killPostgres();
    await sleep(5000);
    const backendsDeadline = Date.now() + 30_000;
    while (backends.some(processRuns) && Date.now() < backendsDeadline) await sleep(250);
    const lingering = backends.filter(processRuns).length;
    log(
      `restarting PostgreSQL (postmaster ${postmaster} killed; ${lingering} of its ${backends.length} backends left)`,
    );
    await restartStack(kind);
    const restarted = Date.now();
    const notes = [`postmaster down ${seconds(restarted - killed)}`];
    let reconnected: number | undefined;
    const db = mongo.db(env.MONGODB_DB);
    while (reconnected === undefined && Date.now() - restarted < 60_000) {
      try {
        await db.collection("message_statuses").findOne({});
        reconnected = Date.now();
      } catch {
        await sleep(1000);
      }
    }
    if (reconnected !== undefined)
      notes.push(
        `FerretDB answered from PostgreSQL ${seconds(reconnected - restarted)} after its restart, without a restart of its own`,
      );
    else {
      log("FerretDB did not reconnect within 60 s; restarting it");
      await stopMongo();
      await restartStack(kind);
      notes.push("FerretDB did not reconnect within 60 s and was restarted");
    }
    await sleep(5000);
    notes.push(`ingress answers meanwhile: ${byStatus(attemptsStarted(killed, restarted))}`);
    await check(
      "9 PostgreSQL killed -9 mid-write",
      "projectors catch up after the restart, nothing lost or doubled",
      notes,
    );
  }

  await Promise.all(Object.values(services).map((s) => s.stop()));
  await mongo.close();
  const last = results.at(-1)!.audit;
  const lost = Math.max(...results.map((r) => r.audit.lost));
  const duplicated = Math.max(...results.map((r) => r.audit.duplicated));
  // Every failed check (lost, duplicated, 200 during an outage, a dead service, a refused request in
  // the log, an unexpected answer) is a detail of its scenario.
  const allPassed = results.every((r) => r.audit.details.length === 0);
  // A passed run's topics and database go (BENCH_KEEP_DATA=1 keeps them); a failed run's stay, to look into.
  if (allPassed && process.env.BENCH_KEEP_DATA !== "1") {
    const removed = await removeRunData({
      brokers: stack.KAFKA_BROKERS,
      mongoUri: stack.MONGODB_URI,
      topicPrefix: env.TOPIC_PREFIX,
      databasePrefix: env.MONGODB_DB,
    });
    log(`removed ${removed.topics} topics and ${removed.databases} databases of this run`);
  } else log(`kept topics ${env.TOPIC_PREFIX}* and database ${env.MONGODB_DB}`);
  console.log(
    `\nwhatsapp-events faults, ${new Date().toISOString().slice(0, 10)}, ${kind} stack, steady load ${rate} deliveries/s`,
  );
  for (const { scenario, checks, audit, notes } of results)
    console.log(
      `${scenario} [${audit.details.length ? "FAILED" : "passed"}; checks: audit, ${checks}]: ${audit.attempted} attempted, ${audit.acknowledged} acknowledged, ${audit.inLog} in log, ${audit.lost} lost, ${audit.duplicated} duplicated${notes.length ? `; ${notes.join("; ")}` : ""}${audit.details
        .slice(0, 5)
        .map((detail) => `\n  ! ${detail}`)
        .join("")}`,
    );
  console.log(
    `faults: ${results.length} scenarios, ${last.attempted} attempted, ${last.acknowledged} acknowledged, ${last.inLog} in log, ${lost} lost, ${duplicated} duplicated effects`,
  );
  process.exit(allPassed ? 0 : 1);
}

interface BadRequest {
  label: string;
  method: string;
  body?: Buffer;
  headers: Record<string, string>;
  expected: number;
}

/** The kinds of bad input the ingress must answer clearly without losing anything or dying. */
function badRequests(): BadRequest[] {
  const valid = Buffer.from(
    JSON.stringify(
      statusPayload([{ wamid: `wamid.${runId}.bad`, status: "sent", timestamp: 1_750_200_000 }]),
    ),
  );
  const truncated = valid.subarray(0, Math.floor(valid.length / 2));
  const garbage = Buffer.from("\u0000\u00ff not json at all {{{");
  const json = { "content-type": "application/json" };
  return [
    {
      label: "wrong signature",
      method: "POST",
      body: valid,
      headers: { ...json, "x-hub-signature-256": signBody(valid, "not-the-secret") },
      expected: 401,
    },
    { label: "missing signature", method: "POST", body: valid, headers: json, expected: 401 },
    {
      label: "malformed signature",
      method: "POST",
      body: valid,
      headers: { ...json, "x-hub-signature-256": "sha1=abc" },
      expected: 401,
    },
    {
      label: "truncated body, signature of the whole",
      method: "POST",
      body: truncated,
      headers: { ...json, "x-hub-signature-256": signBody(valid, appSecret) },
      expected: 401,
    },
    {
      label: "garbage body, unsigned",
      method: "POST",
      body: garbage,
      headers: { "content-type": "application/octet-stream" },
      expected: 401,
    },
    {
      label: "form body, wrong content type, unsigned",
      method: "POST",
      body: Buffer.from("a=1&b=2"),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      expected: 401,
    },
    { label: "PUT", method: "PUT", body: valid, headers: json, expected: 405 },
    { label: "DELETE", method: "DELETE", headers: {}, expected: 405 },
    { label: "PATCH", method: "PATCH", body: valid, headers: json, expected: 405 },
    { label: "handshake with a wrong token", method: "GET", headers: {}, expected: 403 },
  ];
}

async function sendBadRequests(
  baseUrl: string,
  total: number,
  refusedRequestIds: string[],
  load: SignedLoad,
) {
  const kinds = badRequests();
  // Oversized bodies (3 MiB + 1) are a few hundred of the 10,000; signed garbage is acknowledged and kept.
  const oversized = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
  const byLabel = new Map<string, number>();
  const examples: string[] = [];
  let unexpected = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      if (i % 40 === 0) {
        const body = Buffer.from(
          i % 80 === 0 ? '{"object":"whatsapp_business_account","entry":[{' : "\u0001garbage",
        );
        load.send({
          kind: "other",
          payload: {},
          effects: { statuses: [], inbound: [], otherChanges: 0 },
          body,
          signature: signBody(body, appSecret),
        });
        byLabel.set(
          "signed broken body (kept, 200)",
          (byLabel.get("signed broken body (kept, 200)") ?? 0) + 1,
        );
        continue;
      }
      const request: BadRequest =
        i % 40 === 1 && i % 120 === 1
          ? {
              label: "oversized body",
              method: "POST",
              body: oversized,
              headers: {
                "content-type": "application/json",
                "x-hub-signature-256": signBody(oversized, appSecret),
              },
              expected: 413,
            }
          : kinds[i % kinds.length]!;
      const url =
        request.method === "GET"
          ? `${baseUrl}${webhookPath}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`
          : `${baseUrl}${webhookPath}`;
      let status: number;
      try {
        const response = await fetch(url, {
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
        });
        await response.arrayBuffer();
        status = response.status;
        const requestId = response.headers.get("x-request-id");
        if (requestId) refusedRequestIds.push(requestId);
      } catch (error) {
        status = -1;
        if (examples.length < 5) examples.push(`${request.label}: ${(error as Error).message}`);
      }
      byLabel.set(request.label, (byLabel.get(request.label) ?? 0) + 1);
      if (status !== request.expected) {
        unexpected++;
        if (examples.length < 5) examples.push(`${request.label}: ${status}, expected ${request.expected}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const summary = `${total} bad requests (${[...byLabel].map(([label, n]) => `${n} ${label}`).join(", ")}), ${unexpected} unexpected answers`;
  return { summary, unexpected, examples };
}

main().catch(async (error: unknown) => {
  console.error(`[faults] failed: ${error instanceof Error ? error.stack : String(error)}`);
  await flood?.stop().catch(() => undefined);
  await Promise.all(Object.values(services).map((s) => s.kill()));
  process.exit(1);
});
