import { seededRandom, sign, statusPayload, type SignedDelivery } from "../delivery-mix";
import { percentile, webhookPath } from "../http-load";
import { poisonKinds, poisonMix, verifyPoison } from "../poison-deliveries";
import { deadLetters, waitUntilSettled } from "../projector-health";
import { residentMiB, startUnsignedFlood } from "../unsigned-flood";
import type { AttackerReport } from "../unsigned-flood-attackers";
import { sendBadRequests, type BadRequestAnswers } from "./bad-requests";
import { byStatus, scenario, seconds, sleep, verdict } from "./fault-scenario";
import { projectorNames, type FaultRun } from "./fault-run";

const shuffledMessages = 600;
const lifecycle = ["sent", "delivered", "read"] as const;

/** 600 messages through sent, delivered and read: one status per delivery, in lifecycle order. */
function lifecycleDeliveries(run: FaultRun): SignedDelivery[] {
  return Array.from({ length: shuffledMessages }, (_, m) =>
    lifecycle.map((status, i) => {
      const statuses = [
        { wamid: `wamid.${run.runId}.shuffled${m}`, status, timestamp: 1_750_100_000 + m * 10 + i },
      ];
      return sign(
        {
          kind: "statuses",
          payload: statusPayload(statuses),
          effects: { statuses, inbound: [], otherChanges: 0 },
        },
        run.appSecret,
      );
    }),
  ).flat();
}

/** The deliveries shuffled (seeded), one in ten sent twice. */
function shuffledWithDuplicates(deliveries: readonly SignedDelivery[]): SignedDelivery[] {
  const random = seededRandom(4);
  const shuffled = [...deliveries];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return shuffled.flatMap((d) => (random() < 0.1 ? [d, d] : [d]));
}

/** Of what the load sent: deliveries sent more than once, and messages whose `read` went out before their `sent`. */
function disorderSent(run: FaultRun): { sentTwice: number; readBeforeSent: number } {
  const times = new Map<SignedDelivery, number>();
  const firstSent = new Map<string, number>();
  run.load.tracked.forEach((t, position) => {
    times.set(t.delivery, (times.get(t.delivery) ?? 0) + 1);
    const status = t.delivery.effects.statuses[0];
    if (status?.wamid.includes(".shuffled")) {
      const key = `${status.wamid} ${status.status}`;
      if (!firstSent.has(key)) firstSent.set(key, position);
    }
  });
  let readBeforeSent = 0;
  for (let m = 0; m < shuffledMessages; m++) {
    const wamid = `wamid.${run.runId}.shuffled${m}`;
    if ((firstSent.get(`${wamid} read`) ?? -1) < (firstSent.get(`${wamid} sent`) ?? -1)) readBeforeSent++;
  }
  return { sentTwice: [...times.values()].filter((n) => n > 1).length, readBeforeSent };
}

export const duplicatesShuffled = scenario({
  id: 4,
  name: "duplicates and shuffled order",
  checks: "statuses went out of order and some twice; 600/600 messages end read with 3 timeline entries",
  load: { rateFactor: 0, warmUpMs: 0 },
  async fault(run) {
    const ordered = lifecycleDeliveries(run);
    const hostile = await run.inject("statuses shuffled, one delivery in ten sent twice", async () =>
      shuffledWithDuplicates(ordered),
    );
    const deliveries = hostile ?? ordered;
    run.log(`scenario 4: ${deliveries.length} status deliveries for ${shuffledMessages} messages`);
    let cursor = 0;
    run.startLoad(() => deliveries[cursor++], run.rate * 2);
    while (cursor < deliveries.length) await sleep(200);
  },
  async verify(run) {
    const { sentTwice, readBeforeSent } = disorderSent(run);
    const endedRead = await run.db.collection("message_statuses").countDocuments({
      _id: { $regex: `^wamid\\.${run.runId}\\.shuffled` },
      status: "read",
      "timeline.2": { $exists: true },
      "timeline.3": { $exists: false },
    } as never);
    const check = verdict([
      `${sentTwice} deliveries sent twice, ${readBeforeSent} messages' read sent before their sent`,
      `${endedRead}/${shuffledMessages} messages read with exactly 3 timeline entries`,
    ]);
    check.expect(sentTwice > 0, "no delivery was sent twice: the fault did not happen");
    check.expect(readBeforeSent > 0, "every message's statuses went out in order: the fault did not happen");
    check.expect(
      endedRead === shuffledMessages,
      `${shuffledMessages - endedRead} shuffled messages did not end as read with 3 entries`,
    );
    return check;
  },
});

export const badRequests = scenario({
  id: 5,
  name: "bad requests",
  checks: "10,000 bad requests of every kind, each gets its expected answer, none in the log",
  load: { rateFactor: 1, warmUpMs: 0 },
  fault: (run): Promise<BadRequestAnswers | undefined> =>
    run.inject("10,000 bad requests", () =>
      sendBadRequests({
        baseUrl: run.services.ingress.baseUrl,
        total: 10_000,
        runId: run.runId,
        appSecret: run.appSecret,
        refusedRequestIds: run.refusedRequestIds,
        load: run.load,
      }),
    ),
  async verify(_run, answers) {
    const check = verdict(answers ? [answers.summary] : []);
    check.expect(answers !== undefined, "no bad request was sent: the fault did not happen");
    if (!answers) return check;
    check.expect(answers.missingKinds.length === 0, `kinds never sent: ${answers.missingKinds.join(", ")}`);
    check.expect(
      answers.unexpected === 0,
      `${answers.unexpected} bad requests got an unexpected answer: ${answers.examples.join("; ")}`,
    );
    return check;
  },
});

export const poisonRecords = scenario({
  id: 6,
  name: "poison records",
  checks:
    "poison of every kind was sent; each stored ($, dotted keys, nested arrays only in messageJson; U+0000 as U+FFFD), no partition stalled, lag 0, /readyz 200, no dead letter",
  load: { rateFactor: 1, warmUpMs: 0 },
  async fault(run) {
    const deadBefore = await deadLetters(run.env.TOPIC_PREFIX!);
    const poison = await run.inject("one delivery in ten a poison record", async () => poisonMix(run.runId));
    let sequence = 0;
    run.log("scenario 6: poison records mixed into the load");
    run.startLoad(
      () => (poison && sequence++ % 10 === 9 ? sign(poison.next(), run.appSecret) : run.steady()),
      run.rate,
    );
    await sleep(20_000);
    return { deadBefore: deadBefore.count, sent: poison?.sent ?? [] };
  },
  async verify(run, poison) {
    const problems = await verifyPoison(run.db, poison.sent);
    const unsettled = (
      await Promise.all(
        projectorNames.map((name) => waitUntilSettled(name, run.services[name].operationsUrl, 90_000)),
      )
    ).flat();
    const dead = await deadLetters(run.env.TOPIC_PREFIX!);
    const perKind = poisonKinds.map((kind) => `${poison.sent.filter((s) => s.kind === kind).length} ${kind}`);
    const newDeadLetters = dead.count - poison.deadBefore;
    const check = verdict([
      `${poison.sent.length} poison deliveries (${perKind.join(", ")}), ${poison.sent.length - problems.length} stored as expected`,
      `projectors settled: ${unsettled.length ? unsettled.join(", ") : "stalled 0, lag 0, /readyz 200"}`,
      `${newDeadLetters} dead letters in this scenario${
        dead.reasons.size ? ` (${[...dead.reasons].map(([reason, n]) => `${n} x ${reason}`).join("; ")})` : ""
      }`,
    ]);
    check.expect(
      poisonKinds.every((kind) => poison.sent.some((s) => s.kind === kind)),
      "not every kind of poison record was sent: the fault did not happen",
    );
    for (const problem of problems.slice(0, 5)) check.expect(false, problem);
    check.expect(problems.length <= 5, `${problems.length - 5} more poison records stored wrongly`);
    for (const problem of unsettled) check.expect(false, problem);
    check.expect(newDeadLetters === 0, `${newDeadLetters} records dead-lettered`);
    return check;
  },
});

const floodMs = 20_000;
/** The ingress's BODY_READ_TIMEOUT_MS; a slow body must be cut by then, with 5 s of grace for a loaded machine. */
const bodyReadTimeoutMs = 15_000;

interface FloodWindow {
  floodStart: number;
  floodEnd: number;
  rss: { before: number; peak: number; after: number };
  attackers: AttackerReport | undefined;
}

export const unsignedFlood = scenario({
  id: 7,
  name: "unsigned flood",
  checks:
    "unsigned get 401/503 (or a reset) and no 200, slow bodies cut by 408 within the 15 s body read timeout (+5 s grace), signed 200/s during >= 90% of before, ingress memory under before + 384 MiB",
  load: { rateFactor: 1, warmUpMs: 12_000 },
  async fault(run): Promise<FloodWindow> {
    const ingressPid = run.services.ingress.child.pid!;
    // NaN once the process is gone (a sabotaged run kills it).
    const rssNow = () => {
      try {
        return residentMiB(ingressPid);
      } catch {
        return NaN;
      }
    };
    const before = rssNow();
    run.log(`scenario 7: unsigned flood for ${seconds(floodMs)} (ingress resident memory ${before} MiB)`);
    const floodStart = Date.now();
    const flood = await run.inject("unsigned flood", () =>
      startUnsignedFlood({
        port: run.services.ingress.port,
        path: webhookPath,
        unsignedConnections: 200,
        unsignedBodyBytes: 3_000_000,
        slowConnections: 50,
        slowBodyBytes: 1_048_576,
      }),
    );
    run.cleanUp = () => flood?.stop() ?? Promise.resolve();
    let peak = before;
    while (Date.now() - floodStart < floodMs) {
      await sleep(250);
      peak = Math.max(peak, rssNow() || 0);
    }
    const floodEnd = Date.now();
    const attackers = await flood?.stop();
    run.cleanUp = undefined;
    run.refusedRequestIds.push(...(attackers?.requestIds ?? []));
    await sleep(5000);
    return { floodStart, floodEnd, rss: { before, peak, after: rssNow() }, attackers };
  },
  async verify(run, flood) {
    const window = (from: number, to: number) => {
      const attempts = run.attemptsStarted(from, to);
      const answered200 = run.load.tracked.flatMap((t) =>
        t.attempts.filter((a) => a.status === 200 && a.answeredAt >= from && a.answeredAt < to),
      );
      const latencies = attempts.map((a) => a.answeredAt - a.startedAt).sort((a, b) => a - b);
      return {
        perSecond: answered200.length / ((to - from) / 1000),
        p99: percentile(latencies, 99),
        statuses: byStatus(attempts),
      };
    };
    const before = window(flood.floodStart - 10_000, flood.floodStart);
    const during = window(flood.floodStart, flood.floodEnd);
    const list = (counts: Record<string, number>) =>
      Object.entries(counts)
        .map(([outcome, n]) => `${n} x ${outcome}`)
        .join(", ");
    const { attackers, rss } = flood;
    const check = verdict([
      `signed 200/s before ${before.perSecond.toFixed(1)} (p99 ${before.p99} ms), during ${during.perSecond.toFixed(1)} (p99 ${during.p99} ms; ${during.statuses})`,
      `ingress VmRSS before ${rss.before} MiB, peak ${rss.peak} MiB, after ${rss.after} MiB`,
    ]);
    check.expect(attackers !== undefined, "no unsigned request was sent: the fault did not happen");
    if (!attackers) return check;
    check.notes.push(
      `200 unsigned 3 MB POSTs: ${list(attackers.unsigned)}`,
      `50 slow bodies: ${list(attackers.slow)}, cut after ${seconds(attackers.slowCutMs.min ?? 0)} to ${seconds(attackers.slowCutMs.max)}`,
    );
    const unexpectedUnsigned = Object.keys(attackers.unsigned).filter(
      (outcome) =>
        !["401", "503", "connection reset before an answer", "closed before an answer"].includes(outcome),
    );
    check.expect(unexpectedUnsigned.length === 0, `unsigned POSTs answered ${unexpectedUnsigned.join(", ")}`);
    check.expect(Boolean(attackers.unsigned["401"]), "no unsigned POST was answered 401");
    const slowCut = attackers.slow["408"] ?? 0;
    check.expect(
      slowCut >= 50 && Object.keys(attackers.slow).every((outcome) => outcome === "408"),
      `slow bodies: ${list(attackers.slow)} (expected at least 50, all 408)`,
    );
    check.expect(
      attackers.slowCutMs.max <= bodyReadTimeoutMs + 5000,
      `slow bodies cut after ${attackers.slowCutMs.min} to ${attackers.slowCutMs.max} ms`,
    );
    check.expect(
      during.perSecond >= 0.9 * before.perSecond,
      `signed goodput fell to ${during.perSecond.toFixed(1)}/s from ${before.perSecond.toFixed(1)}/s`,
    );
    check.expect(
      rss.peak <= rss.before + 384,
      `ingress resident memory peaked at ${rss.peak} MiB (${rss.before} MiB before)`,
    );
    return check;
  },
});
