import { projectorTelemetry } from "./telemetry";
import { runProjector } from "../runtime/projector-runner";
import { statusProjection } from "./status-projection";

runProjector(statusProjection, 3001, projectorTelemetry).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
