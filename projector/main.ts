import { createLogger } from "../runtime/logger";
import { runMain, stopOnSignals } from "../runtime/service";
import { defaultPort } from "../runtime/service-names";
import { SettingsError } from "../runtime/settings";
import { startTelemetry } from "../runtime/telemetry";
import { startProjector } from "./framework/projector-service";
import { readProjectorSettings } from "./framework/projector-settings";
import { serviceNameOf } from "./framework/projection";
import { projections } from "./projections";

/** One entry for every projector: `PROJECTION=<name> node dist/projector/main.js`. */
runMain(async () => {
  const name = process.env.PROJECTION ?? "";
  const projection = projections[name];
  if (!projection)
    throw new SettingsError({
      PROJECTION: `${name ? `malformed: "${name}" is not` : "missing (required):"} one of ${Object.keys(projections).join(", ")}`,
    });
  // Projectors load no instrumented library: their spans are made by hand, so the order of start-up is free.
  const telemetry = startTelemetry(serviceNameOf(projection));
  const settings = readProjectorSettings({
    port: defaultPort(serviceNameOf(projection)),
    consumerGroup: serviceNameOf(projection),
  });
  const logger = createLogger(serviceNameOf(projection), settings.LOG_LEVEL);
  stopOnSignals(await startProjector(projection, settings, logger), logger, telemetry);
});
