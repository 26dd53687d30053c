import { cpus, totalmem } from "node:os";
import { drainLine, drainPhase, type Drain } from "./scale/drain-phase";
import { replicaPhase, type ReplicaPhaseResult } from "./scale/replica-phase";
import { ScaleRun, type Sabotage } from "./scale/scale-run";
import { auditLine } from "./steady-load";

/**
 * `make scale`: replicas proven on this machine. First two ingresses behind a round-robin proxy and
 * three replicas of each projector on topics of SCALE_PARTITIONS partitions, under the steady signed
 * load of `make faults`, while replicas are added, killed (SIGKILL) and stopped (SIGTERM) and an ingress
 * is killed and started again; then the audit: every delivery acknowledged, in the raw log, its effects
 * in the read models exactly once. Then the drain: one backlog per projection applied by 1, 2 and 3
 * replicas in turn, with where the CPU went. Loopback only; stops by itself; exits non-zero when a check
 * failed.
 *
 * SCALE_PHASES=replicas,drain picks phases; SCALE_SABOTAGE=skip-actions, drop-records, double-effects
 * (or several, comma-separated) runs the replica phase sabotaged, to show its checks fail
 * (scale/scale-run.ts). SCALE_RATE sets the load (50 deliveries/s), SCALE_BACKLOG_EVENTS the drain's
 * backlog (20,000 per projection), SCALE_REPLICAS the drain's replica counts (1,2,3).
 */
const phases = (process.env.SCALE_PHASES ?? "replicas,drain").split(",").map((p) => p.trim());
const partitions = Number(process.env.SCALE_PARTITIONS ?? 6);
// Half the faults run's rate: eight service processes share the machine here, besides the stack.
const rate = Number(process.env.SCALE_RATE ?? 50);
const sabotage = new Set((process.env.SCALE_SABOTAGE ?? "").split(",").filter(Boolean) as Sabotage[]);
const sabotaged = sabotage.size ? `, sabotaged: ${[...sabotage].join(", ")}` : "";
const backlogEvents = Number(process.env.SCALE_BACKLOG_EVENTS ?? 20_000);
const replicaCounts = (process.env.SCALE_REPLICAS ?? "1,2,3").split(",").map(Number);
const recoveryWindowMs = Number(process.env.SCALE_RECOVERY_WINDOW_S ?? 90) * 1000;
const log = (message: string) =>
  console.error(`[scale] ${new Date().toISOString().slice(11, 19)} ${message}`);

function printReplicas(result: ReplicaPhaseResult): void {
  console.log(
    `replicas [${result.failures.length ? "FAILED" : "passed"}] (load average before ${result.loadAverage}; ${result.sentPerSecond.toFixed(0)} deliveries/s sent): ${auditLine(result.audit)}`,
  );
  for (const step of result.steps)
    console.log(
      `  ${step.name} [${step.verdict.failures.length ? "FAILED" : "passed"}; checks: ${step.checks}]: ${step.verdict.notes.join("; ")}`,
    );
  console.log(`  applied by the replicas alive at the end: ${result.replicas.join(", ")}`);
  for (const failure of result.failures.slice(0, 10)) console.log(`  ! ${failure}`);
}

function printDrains(drains: readonly Drain[]): void {
  for (const drain of drains) console.log(`drain ${drainLine(drain)}`);
}

async function main(run: ScaleRun): Promise<boolean> {
  const started = new Date();
  log(
    `services: ${run.code.description}; run ${run.runId}; phases ${phases.join(",")}; ${partitions} partitions; ${rate} deliveries/s${sabotaged}`,
  );
  await run.connect();
  const failures: string[] = [];
  let replicas: ReplicaPhaseResult | undefined;
  let drains: Drain[] = [];
  if (phases.includes("replicas")) {
    replicas = await replicaPhase(run);
    failures.push(...replicas.failures);
    if (replicas.failures.length === 0) await run.removeData("replicas");
    else
      log(`kept topics ${run.env("replicas").TOPIC_PREFIX}* and database ${run.env("replicas").MONGODB_DB}`);
  }
  if (phases.includes("drain")) {
    const result = await drainPhase(run, replicaCounts, backlogEvents);
    drains = result.drains;
    failures.push(...result.failures);
  }
  await run.stop();
  console.log(
    `\nwhatsapp-events scale, ${started.toISOString().slice(0, 10)} ${started.toISOString().slice(11, 16)}-${new Date().toISOString().slice(11, 16)} UTC, ` +
      `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${partitions} partitions, steady load ${rate} deliveries/s${sabotaged}`,
  );
  console.log(`services: ${run.code.description}`);
  if (replicas) printReplicas(replicas);
  printDrains(drains);
  console.log(`scale: ${failures.length === 0 ? "passed" : `FAILED (${failures.length} failures)`}`);
  return failures.length === 0;
}

const run = new ScaleRun(partitions, rate, sabotage, recoveryWindowMs, log);
main(run).then(
  (passed) => process.exit(passed ? 0 : 1),
  async (error: unknown) => {
    console.error(`[scale] failed: ${error instanceof Error ? error.stack : String(error)}`);
    await run.kill();
    process.exit(1);
  },
);
