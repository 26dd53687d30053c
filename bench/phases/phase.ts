import type { BenchRun } from "../bench-run";

/** One line of the printed table: what, the figure, and a note (target verdict, context). */
export type Row = [label: string, value: string, note: string];

export interface PhaseResult {
  rows: Row[];
  /** Keys of the run's JSON line; docs/benchmarks.md's history compares them run to run. */
  json: Record<string, unknown>;
  /** Target name -> met; any false fails the run. */
  targets: Record<string, boolean>;
}

/**
 * One measurement of `make bench`. `earlier` is the JSON of the phases run before it, for a figure that
 * compares with one of theirs.
 */
export interface Phase {
  name: string;
  run: (run: BenchRun, earlier: Readonly<Record<string, unknown>>) => Promise<PhaseResult>;
}
