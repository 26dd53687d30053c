import { ingressTelemetry } from "./telemetry";
import { runIngress } from "./ingress-service";

runIngress(ingressTelemetry).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
