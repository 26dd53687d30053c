import {
  killBroker,
  killPostgres,
  portRefuses,
  processRuns,
  restartStack,
  stackPorts,
  stopMongo,
  stopRegistry,
} from "../stack-faults";
import { byStatus, scenario, seconds, sleep, verdict } from "./fault-scenario";
import type { FaultRun } from "./fault-run";

const outageMs = 10_000;

/** A part of the stack down from `from` to `to`, with what the outside saw of it meanwhile. */
interface Outage {
  from: number;
  to: number;
  /** The part's port refused connections right after the fault and still just before the restart. */
  portRefused: boolean;
  /** When the part answered again after its restart. */
  back: number;
}

/** Polls `port` until it refuses connections, for up to `withinMs`. */
async function refusesWithin(port: number, withinMs: number): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(200))
    if (await portRefuses(port)) return true;
  return false;
}

/** Applied counts of both projectors, each taken over the same span. */
const appliedBetween = (
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> =>
  Object.fromEntries(Object.keys(before).map((name) => [name, after[name]! - before[name]!]));
const appliedText = (applied: Record<string, number>) =>
  Object.entries(applied)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");

export const brokerKilled = scenario({
  id: 1,
  name: "broker killed 10 s",
  checks: "its port refused, the ingress answered 503 and no 200 while it was down, 200 again after",
  load: { rateFactor: 1, warmUpMs: 5000 },
  async fault(run): Promise<Outage> {
    run.log("scenario 1: kill -9 the Kafka broker");
    const from = Date.now();
    const killed = await run.inject("kill -9 the Kafka broker", async () => {
      await killBroker();
      return true;
    });
    const refusedAtKill = Boolean(killed) && (await refusesWithin(stackPorts.kafka, 5000));
    await sleep(outageMs - (Date.now() - from));
    const refusedAtEnd = await portRefuses(stackPorts.kafka);
    const to = Date.now();
    run.log("restarting the broker");
    await restartStack(run.kind);
    const back = Date.now();
    run.log(`broker answers again after ${seconds(back - to)}`);
    await sleep(5000);
    return { from, to, back, portRefused: refusedAtKill && refusedAtEnd };
  },
  async verify(run, outage) {
    const during = run.attemptsStarted(outage.from, outage.to);
    const acknowledgedDuring = during.filter((a) => a.status === 200 && a.answeredAt < outage.to);
    const refusedDuring = during.filter((a) => a.status === 503);
    const after = run.attemptsStarted(outage.back, Infinity);
    const firstAcknowledged = after.filter((a) => a.status === 200).map((a) => a.answeredAt);
    const check = verdict([
      `broker down ${seconds(outage.to - outage.from)}, answering ${seconds(outage.back - outage.to)} after its restart`,
      `answers while it was down: ${byStatus(during)}`,
    ]);
    if (firstAcknowledged.length)
      check.notes.push(
        `first 200 ${seconds(Math.min(...firstAcknowledged) - outage.back)} after the broker answered`,
      );
    check.expect(
      outage.portRefused,
      "the broker's port did not refuse connections: the fault did not happen",
    );
    check.expect(refusedDuring.length > 0, "no delivery was answered 503 while the broker was down");
    check.expect(
      acknowledgedDuring.length === 0,
      `${acknowledgedDuring.length} deliveries answered 200 while the broker was down`,
    );
    check.expect(firstAcknowledged.length > 0, "the ingress answered no 200 after the broker came back");
    return check;
  },
});

interface StoreOutage extends Outage {
  /** Events each projector applied from 2 s after the stop (writes in flight may land) to the restart. */
  appliedWhileDown: Record<string, number>;
}

/** Stops a part with `stop`, holds it down for `downMs`, restarts the stack; measures it from outside. */
async function holdDown(
  run: FaultRun,
  what: string,
  port: number,
  stop: () => Promise<void>,
  downMs: number,
): Promise<StoreOutage> {
  const from = Date.now();
  const stopped = await run.inject(what, async () => {
    await stop();
    return true;
  });
  const refusedAtStop = Boolean(stopped) && (await portRefuses(port));
  await sleep(2000);
  const appliedEarly = await run.projectorsApplied();
  await sleep(Math.max(0, downMs - (Date.now() - from)));
  const appliedLate = await run.projectorsApplied();
  const refusedAtEnd = await portRefuses(port);
  const to = Date.now();
  run.log(`restarting (${what})`);
  await restartStack(run.kind);
  const back = Date.now();
  await sleep(5000);
  return {
    from,
    to,
    back,
    portRefused: refusedAtStop && refusedAtEnd,
    appliedWhileDown: appliedBetween(appliedEarly, appliedLate),
  };
}

export const mongoStopped = scenario({
  id: 3,
  name: "MongoDB-wire server stopped 10 s",
  checks: "its port refused connections, projectors applied nothing meanwhile and resume, nothing lost",
  load: { rateFactor: 1, warmUpMs: 2000 },
  fault: (run) => {
    run.log("scenario 3: stop the MongoDB-wire server");
    return holdDown(run, "stop the MongoDB-wire server", stackPorts.mongodb, stopMongo, outageMs);
  },
  async verify(_run, outage) {
    const check = verdict([
      `MongoDB-wire server down ${seconds(outage.back - outage.from)} (port refusing connections: ${outage.portRefused})`,
      `events applied while it was down: ${appliedText(outage.appliedWhileDown)}`,
    ]);
    check.expect(
      outage.portRefused,
      "the MongoDB-wire server's port did not refuse connections through the outage: the fault did not happen or did not last",
    );
    check.expect(
      Object.values(outage.appliedWhileDown).every((n) => n === 0),
      "a projector applied events while the MongoDB-wire server was stopped: the fault did not take effect",
    );
    return check;
  },
});

export const registryStopped = scenario({
  id: 8,
  name: "schema registry stopped 30 s",
  checks:
    "its port refused connections, every signed delivery answered 200 while the registry was down, both projectors apply meanwhile",
  load: { rateFactor: 1, warmUpMs: 3000 },
  fault: (run) => {
    run.log("scenario 8: stop the schema registry");
    return holdDown(run, "stop the schema registry", stackPorts.registry, stopRegistry, 30_000);
  },
  async verify(run, outage) {
    const during = run.attemptsStarted(outage.from, outage.back);
    const check = verdict([
      `registry down ${seconds(outage.back - outage.from)} (${seconds(outage.to - outage.from)} stopped, ${seconds(outage.back - outage.to)} starting)`,
      `answers meanwhile: ${byStatus(during)}`,
      `events applied while stopped: ${appliedText(outage.appliedWhileDown)}`,
    ]);
    check.expect(
      outage.portRefused,
      "the schema registry's port did not refuse connections through the outage: the fault did not happen or did not last",
    );
    const refused = during.filter((a) => a.status !== 200).length;
    check.expect(refused === 0, `${refused} signed deliveries not answered 200 while the registry was down`);
    check.expect(
      Object.values(outage.appliedWhileDown).every((n) => n > 0),
      "a projector applied nothing while the registry was stopped",
    );
    return check;
  },
});

interface PostgresOutage {
  from: number;
  restarted: number;
  /** The postmaster killed, and gone 5 s later. */
  postmasterGone: boolean;
  /** A read through the MongoDB-wire server failed while PostgreSQL was down. */
  storeRefusedReads: boolean;
  appliedWhileDown: Record<string, number>;
  notes: string[];
}

export const postgresKilled = scenario({
  id: 9,
  name: "PostgreSQL killed -9 mid-write",
  checks:
    "the postmaster was gone, reads through the MongoDB-wire server failed and projectors applied nothing meanwhile, then caught up",
  load: { rateFactor: 1, warmUpMs: 3000 },
  async fault(run): Promise<PostgresOutage> {
    run.log("scenario 9: kill -9 the PostgreSQL postmaster");
    const from = Date.now();
    const killed = await run.inject("kill -9 the PostgreSQL postmaster", killPostgres);
    await sleep(2000);
    const appliedEarly = await run.projectorsApplied();
    const storeRefusedReads = !(await storeAnswersReads(run));
    await sleep(Math.max(0, 5000 - (Date.now() - from)));
    const postmasterGone = killed !== undefined && !processRuns(killed.postmaster);
    const backends = killed?.backends ?? [];
    for (const deadline = Date.now() + 30_000; backends.some(processRuns) && Date.now() < deadline;)
      await sleep(250);
    const appliedLate = await run.projectorsApplied();
    run.log(
      `restarting PostgreSQL (${backends.filter(processRuns).length} of ${backends.length} backends left)`,
    );
    await restartStack(run.kind);
    const restarted = Date.now();
    const notes = [`postmaster down ${seconds(restarted - from)}`];
    notes.push(await waitForStore(run, restarted));
    await sleep(5000);
    return {
      from,
      restarted,
      postmasterGone,
      storeRefusedReads,
      appliedWhileDown: appliedBetween(appliedEarly, appliedLate),
      notes,
    };
  },
  async verify(run, outage) {
    const check = verdict([
      ...outage.notes,
      `ingress answers meanwhile: ${byStatus(run.attemptsStarted(outage.from, outage.restarted))}`,
      `events applied while PostgreSQL was down: ${appliedText(outage.appliedWhileDown)}`,
    ]);
    check.expect(
      outage.postmasterGone,
      "the PostgreSQL postmaster still ran after kill -9: the fault did not happen",
    );
    check.expect(
      outage.storeRefusedReads,
      "the MongoDB-wire server answered a read while PostgreSQL was down: the fault did not take effect",
    );
    check.expect(
      Object.values(outage.appliedWhileDown).every((n) => n === 0),
      "a projector applied events while PostgreSQL was down",
    );
    return check;
  },
});

/** Whether a read through the MongoDB-wire server succeeds (its storage answers). */
const storeAnswersReads = (run: FaultRun): Promise<boolean> =>
  run.db
    .collection("message_statuses")
    .findOne({}, { maxTimeMS: 2000 })
    .then(
      () => true,
      () => false,
    );

/** Waits for the MongoDB-wire server to answer from the restarted PostgreSQL; restarts it after 60 s. */
async function waitForStore(run: FaultRun, restarted: number): Promise<string> {
  while (Date.now() - restarted < 60_000) {
    if (await storeAnswersReads(run))
      return `FerretDB answered from PostgreSQL ${seconds(Date.now() - restarted)} after its restart, without a restart of its own`;
    await sleep(1000);
  }
  run.log("FerretDB did not reconnect within 60 s; restarting it");
  await stopMongo();
  await restartStack(run.kind);
  return "FerretDB did not reconnect within 60 s and was restarted";
}
