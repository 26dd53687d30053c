import { createLogger } from "../runtime/logger";
import { readProjectorSettings } from "../projector/framework/projector-settings";
import { rebuildProjection } from "../projector/framework/rebuild";
import { serviceNameOf } from "../projector/framework/projection";
import { projections } from "../projector/projections";

const usage = `Rebuilds a projection's read models from the start of its topic, into new collections that then replace the live ones:
${Object.values(projections)
  .map((p) => `  npm run rebuild -- ${p.name.padEnd(14)} ${p.readModels.map((m) => m.collection).join(", ")}`)
  .join("\n")}
The live projector may keep running: events it applies during the rebuild are replayed after the swap.`;

async function main(name: string): Promise<number> {
  const projection = projections[name];
  if (!projection) {
    console.error(usage);
    return 2;
  }
  const settings = readProjectorSettings({ port: 0 });
  const logger = createLogger(
    `${serviceNameOf(projection)}-rebuild`,
    settings.LOG_LEVEL === "info" ? "warn" : settings.LOG_LEVEL,
  );
  await rebuildProjection(projection, settings, logger, (line) => console.log(`[rebuild ${name}] ${line}`));
  return 0;
}

main(process.argv[2] ?? "").then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`rebuild failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
