import { cpus, totalmem } from "node:os";
import { createBenchRun } from "./bench-run";
import { brokerPhase } from "./phases/broker-ceiling";
import { historyImportPhase } from "./phases/history-import";
import { ingressPhase } from "./phases/ingress-vs-baseline";
import type { Phase, Row } from "./phases/phase";
import { pipelinePhase } from "./phases/pipeline";
import { projectorsPhase } from "./phases/projector-rates";

/**
 * `make bench`: every figure of the benchmark issue measured side by side in one run on this machine,
 * against the running stack. Load comes from this process (autocannon), the services run as their own
 * processes. Prints a table, then as its very last line one JSON object.
 *
 * A new measurement is a new phase (bench/phases/): its rows, JSON keys and targets join the output.
 */
const phases: Phase[] = [
  pipelinePhase, // first, while the stack is quiet
  ingressPhase,
  brokerPhase,
  projectorsPhase,
  historyImportPhase,
];

const run = createBenchRun();

/** Runs every phase, prints the table and the JSON line; false when a target was missed. */
async function main(): Promise<boolean> {
  const started = new Date();
  const { mix, code } = run;
  run.log(`code measured: ${code.description}`);
  run.log(
    `mix: ${mix.deliveries.length} deliveries, ${mix.eventsPerDelivery.toFixed(2)} events and ${mix.recordsPerDelivery.toFixed(2)} records per delivery, ${mix.recordBytes} bytes per record`,
  );
  const rows: Row[] = [];
  const json: Record<string, unknown> = { date: started.toISOString(), code: code.description };
  const targets: Record<string, boolean> = {};
  for (const phase of phases) {
    const result = await phase.run(run, json);
    rows.push(...result.rows);
    Object.assign(json, result.json);
    Object.assign(targets, result.targets);
  }
  // What is left: the ingress, baseline and broker-ceiling topics (about 2 GB of segments).
  await run.removeBenchData();

  const missed = Object.entries(targets)
    .filter(([, met]) => !met)
    .map(([name]) => name);
  console.log(
    `\nwhatsapp-events benchmark, ${started.toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(
    `mix: ${mix.eventsPerDelivery.toFixed(2)} events per delivery (70% statuses, 25% inbound, 5% other fields; 1 to 100 statuses each)`,
  );
  console.log(`services: ${code.description}`);
  printTable(rows);
  if (missed.length > 0) run.log(`targets missed: ${missed.join("; ")}`);
  console.log(JSON.stringify({ ...json, targets_missed: missed }));
  return missed.length === 0;
}

function printTable(rows: readonly Row[]): void {
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  for (const [name, value, note] of rows)
    console.log(`${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${note}`);
}

main().then(
  (allMet) => process.exit(allMet ? 0 : 1),
  (error: unknown) => {
    console.error(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}`);
    run.removeBenchData().then(
      () => process.exit(1),
      () => process.exit(1),
    );
  },
);
