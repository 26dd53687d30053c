import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { recordingLogger, type LogLine } from "./http-harness";

export interface InProcessIngress {
  /** TOPIC_PREFIX of this ingress: the run's prefix and the test's own name. */
  readonly prefix: string;
  readonly appSecret: string;
  /** The log lines it wrote, parsed. */
  readonly lines: LogLine[];
  baseUrl(): string;
  operationsUrl(): string;
}

/**
 * An ingress in-process against the real stack for one test file (or describe block), on topics of its
 * own (`<TOPIC_PREFIX><name>.`), with `settings` over the defaults: started before its tests, stopped
 * after them.
 */
export function useInProcessIngress(name: string, settings: Record<string, string> = {}): InProcessIngress {
  const prefix = `${process.env.TOPIC_PREFIX}${name}.`;
  const appSecret = `int-${name}-secret`;
  const { logger, lines } = recordingLogger();
  let ingress: RunningIngress | undefined;
  beforeAll(async () => {
    ingress = await startIngress(
      readIngressSettings({
        ...process.env,
        TOPIC_PREFIX: prefix,
        PORT: "0",
        OPS_PORT: "0",
        WHATSAPP_APP_SECRET: appSecret,
        WHATSAPP_WEBHOOK_VERIFY_TOKEN: `int-${name}-token`,
        ...settings,
      }),
      logger,
    );
  });
  afterAll(async () => {
    await ingress?.stop();
  });
  const running = () => {
    if (!ingress) throw new Error(`the ${name} ingress is not started`);
    return ingress;
  };
  return {
    prefix,
    appSecret,
    lines,
    baseUrl: () => `http://127.0.0.1:${running().port}`,
    operationsUrl: () => `http://127.0.0.1:${running().operationsPort}`,
  };
}
