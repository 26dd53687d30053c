import { ingressTelemetry } from "./telemetry";
import { createLogger } from "../runtime/logger";
import { runMain, stopOnSignals } from "../runtime/service";
import { serviceNames } from "../runtime/service-names";
import { startIngress } from "./ingress-service";
import { readIngressSettings } from "./ingress-settings";

runMain(async () => {
  const settings = readIngressSettings();
  const logger = createLogger(serviceNames.ingress, settings.LOG_LEVEL);
  stopOnSignals(await startIngress(settings, logger), logger, ingressTelemetry);
});
