import type { SignedDelivery } from "../delivery-mix";
import type { FaultRun } from "./fault-run";

/** What a scenario saw besides the audit: notes for its summary line, and each check that failed. */
export interface Verdict {
  notes: string[];
  failures: string[];
}

/**
 * One row of `make faults`. The harness starts the row's load, waits `warmUpMs`, runs `fault` (which
 * injects its fault through `run.inject` and measures it from outside), stops the load, audits every
 * delivery so far, then asks `verify` what else the scenario checks.
 */
export interface FaultScenario<Evidence = unknown> {
  id: number;
  name: string;
  /** What the scenario checks besides the audit, as its summary line shows it. */
  checks: string;
  /** The signed load while the fault runs: deliveries per second as a multiple of the run's rate (0: none). */
  load: {
    rateFactor: number;
    warmUpMs: number;
    deliveries?: (run: FaultRun) => () => SignedDelivery | undefined;
  };
  /** Injects the fault, waits through it and the recovery; returns what it measured. */
  fault: (run: FaultRun) => Promise<Evidence>;
  /** After the audit: the scenario's own checks, first of all that its fault happened. */
  verify: (run: FaultRun, evidence: Evidence) => Promise<Verdict>;
}

/** Types a row against its own evidence, then lets the table hold rows of every kind. */
export const scenario = <Evidence>(row: FaultScenario<Evidence>): FaultScenario =>
  row as unknown as FaultScenario;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "3 x 200, 12 x 503, 1 x no answer" */
export function byStatus(attempts: readonly { status: number }[]): string {
  const counts = new Map<number, number>();
  for (const a of attempts) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n} x ${status === 0 ? "no answer" : status}`)
    .join(", ");
}

/** A verdict built check by check: `expect(condition, failure)` records the failure when the condition is false. */
export function verdict(notes: string[] = []) {
  const failures: string[] = [];
  return {
    notes,
    failures,
    expect(condition: boolean, failure: string) {
      if (!condition) failures.push(failure);
    },
  };
}
