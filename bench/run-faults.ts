import { removeRunData } from "../tests/support/run-data";
import type { Audit } from "./effects-audit";
import { FaultRun, faultRunPrefixes, type Sabotage } from "./faults/fault-run";
import type { FaultScenario, Verdict } from "./faults/fault-scenario";
import { sleep } from "./faults/fault-scenario";
import { faultScenarios } from "./faults/scenarios";
import { restartStack } from "./stack-faults";
import { auditLine } from "./steady-load";

/**
 * `make faults`: steady signed load against the three services while each scenario of
 * bench/faults/scenarios.ts injects its fault. After each scenario: every delivery sent so far was
 * acknowledged within the recovery window, is in the raw topic and its effects are in the read models
 * exactly once, no service died, plus the scenario's own checks, first of all that its fault happened.
 * Loopback only; stops by itself; exits non-zero when any check failed.
 *
 * FAULTS_SCENARIOS=3,8 runs only those. FAULTS_SABOTAGE=skip-fault or ingress-down runs them sabotaged,
 * to show the checks fail (see docs/benchmarks.md#faults). FAULTS_RATE sets the steady load (100/s).
 */
const rate = Number(process.env.FAULTS_RATE ?? 100);
const sabotage = (process.env.FAULTS_SABOTAGE ?? "none") as Sabotage;
const recoveryWindowMs = Number(process.env.FAULTS_RECOVERY_WINDOW_S ?? 90) * 1000;
const chosen = process.env.FAULTS_SCENARIOS?.split(",").map((n) => Number(n.trim()));
const log = (message: string) =>
  console.error(`[faults] ${new Date().toISOString().slice(11, 19)} ${message}`);

interface ScenarioResult {
  scenario: FaultScenario;
  audit: Audit;
  verdict: Verdict;
}

/** One row: its load, its fault, the audit of everything so far, its own checks. A throw fails the row. */
async function runScenario(run: FaultRun, scenario: FaultScenario): Promise<ScenarioResult> {
  const label = `${scenario.id} ${scenario.name}`;
  if (scenario.load.rateFactor > 0) run.startLoad(run.steady, run.rate * scenario.load.rateFactor);
  await sleep(scenario.load.warmUpMs);
  let evidence: unknown;
  let thrown: string | undefined;
  try {
    evidence = await scenario.fault(run);
  } catch (error) {
    thrown = `the scenario failed: ${error instanceof Error ? error.message : String(error)}`;
    log(`${label}: ${thrown}; bringing the stack back`);
    await run.cleanUp?.();
    run.cleanUp = undefined;
    await restartStack(run.kind);
  }
  const audit = await run.audit(label);
  const verdict = thrown ? { notes: [], failures: [thrown] } : await scenario.verify(run, evidence);
  await run.recoverFromSabotage();
  log(`${label}: ${auditLine(audit)}; ${verdict.notes.join("; ")}`);
  for (const detail of [...verdict.failures, ...audit.details].slice(0, 10)) log(`  ! ${detail}`);
  return { scenario, audit, verdict };
}

const failuresOf = ({ audit, verdict }: ScenarioResult) => [...verdict.failures, ...audit.details];

function printSummary(run: FaultRun, results: readonly ScenarioResult[]): void {
  console.log(
    `\nwhatsapp-events faults, ${new Date().toISOString().slice(0, 10)}, ${run.kind} stack, steady load ${run.rate} deliveries/s${sabotage === "none" ? "" : `, sabotaged: ${sabotage}`}`,
  );
  for (const result of results) {
    const { scenario, audit, verdict } = result;
    const failures = failuresOf(result);
    console.log(
      `${scenario.id} ${scenario.name} [${failures.length ? "FAILED" : "passed"}; checks: audit, ${scenario.checks}]: ${auditLine(audit)}${verdict.notes.length ? `; ${verdict.notes.join("; ")}` : ""}${failures
        .slice(0, 5)
        .map((detail) => `\n  ! ${detail}`)
        .join("")}`,
    );
  }
  const last = results.at(-1)!.audit;
  const lost = Math.max(...results.map((r) => r.audit.lost));
  const duplicated = Math.max(...results.map((r) => r.audit.duplicated));
  console.log(
    `faults: ${results.length} scenarios, ${results.filter((r) => failuresOf(r).length === 0).length} passed, ${last.attempted} attempted, ${last.acknowledged} acknowledged, ${last.inLog} in log, ${lost} lost, ${duplicated} duplicated effects`,
  );
}

async function main(run: FaultRun): Promise<boolean> {
  const scenarios = faultScenarios.filter((s) => !chosen || chosen.includes(s.id));
  log(
    `stack: ${run.kind}; topics ${run.env.TOPIC_PREFIX}*; database ${run.env.MONGODB_DB}; ${rate} deliveries/s; scenarios ${scenarios.map((s) => s.id).join(",")}`,
  );
  if (process.env.BENCH_KEEP_DATA !== "1") {
    // A failed run's data stays until the next run: left to pile up, its partitions lengthen the
    // broker's log recovery after scenario 1's kill -9 past the recovery window.
    const removed = await removeRunData({
      brokers: run.stack.KAFKA_BROKERS,
      mongoUri: run.stack.MONGODB_URI,
      topicPrefix: faultRunPrefixes.topic,
      databasePrefix: faultRunPrefixes.database,
    });
    if (removed.topics + removed.databases > 0)
      log(`removed ${removed.topics} topics and ${removed.databases} databases of earlier runs`);
  }
  await run.startServices();
  // Warm-up: JIT, connections, the projectors' first batches.
  run.startLoad(run.steady, rate);
  await sleep(5000);
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await runScenario(run, scenario));
  await run.stop();
  const allPassed = results.every((r) => failuresOf(r).length === 0);
  // A passed run's topics and database go (BENCH_KEEP_DATA=1 keeps them); a failed run's stay, to look into,
  // until the next run.
  if (allPassed && process.env.BENCH_KEEP_DATA !== "1") {
    const removed = await removeRunData({
      brokers: run.stack.KAFKA_BROKERS,
      mongoUri: run.stack.MONGODB_URI,
      topicPrefix: run.env.TOPIC_PREFIX!,
      databasePrefix: run.env.MONGODB_DB!,
    });
    log(`removed ${removed.topics} topics and ${removed.databases} databases of this run`);
  } else log(`kept topics ${run.env.TOPIC_PREFIX}* and database ${run.env.MONGODB_DB}`);
  printSummary(run, results);
  return allPassed;
}

const run = new FaultRun(rate, sabotage, recoveryWindowMs, log);
main(run).then(
  (allPassed) => process.exit(allPassed ? 0 : 1),
  async (error: unknown) => {
    console.error(`[faults] failed: ${error instanceof Error ? error.stack : String(error)}`);
    await run.kill();
    process.exit(1);
  },
);
