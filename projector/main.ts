import { createLogger } from "../runtime/logger";
import { runMain, stopOnSignals } from "../runtime/service";
import { defaultPort } from "../runtime/service-names";
import { startTelemetry } from "../runtime/telemetry";
import { startProjector } from "./framework/projector-service";
import {
  projectorProcessName,
  readProjectorSettings,
  selectProjections,
} from "./framework/projector-settings";
import { projections } from "./projections";

/** One entry for every projector process: `PROJECTIONS=status,conversation node dist/projector/main.js`. */
runMain(async () => {
  const selected = selectProjections(projections);
  const name = projectorProcessName(selected);
  // Projectors load no instrumented library: their spans are made by hand, so the order of start-up is free.
  const telemetry = startTelemetry(name);
  const settings = readProjectorSettings({ port: defaultPort(name) });
  const logger = createLogger(name, settings.LOG_LEVEL);
  stopOnSignals(await startProjector(selected, settings, logger), logger, telemetry);
});
