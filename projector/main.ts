import { createLogger } from "../runtime/logger";
import { runMain, stopOnSignals } from "../runtime/service";
import { startTelemetry } from "../runtime/telemetry";
import { startProjector } from "./framework/projector-service";
import { readProjectorProcess } from "./framework/projector-settings";
import { projections } from "./projections";

/** One entry for every projector process: `PROJECTIONS=status,conversation node dist/projector/main.js`. */
runMain(async () => {
  const { projections: selected, name, settings } = readProjectorProcess(projections);
  // Projectors load no instrumented library: their spans are made by hand, so the order of start-up is free.
  const telemetry = startTelemetry(name);
  const logger = createLogger(name, settings.LOG_LEVEL);
  stopOnSignals(await startProjector(selected, settings, logger), logger, telemetry);
});
