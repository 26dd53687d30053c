import { projectorTelemetry } from "./telemetry";
import { runProjector } from "../runtime/projector-runner";
import { conversationProjection } from "./conversation-projection";

runProjector(conversationProjection, 3002, projectorTelemetry).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
