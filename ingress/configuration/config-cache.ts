import type { Collection, Db } from "mongodb";
import type { Logger } from "../../runtime/logger";
import { resolveCredentials, type WebhookCredentials, type WhatsAppConfig } from "./webhook-credentials";

/** The whatsapp_configs collection: one document per business phone number. */
export function whatsappConfigs(db: Db): Collection<WhatsAppConfig> {
  return db.collection<WhatsAppConfig>("whatsapp_configs");
}

/**
 * A polling cache of the credentials the ingress checks against, re-read from whatsapp_configs every
 * `refreshMs`. When MongoDB cannot be read, the last known credentials stay (or the environment's,
 * before any read).
 */
export class ConfigCache {
  private credentials: WebhookCredentials;
  private timer: NodeJS.Timeout | undefined;
  private loadedOnce = false;

  constructor(
    private readonly configs: Collection<WhatsAppConfig>,
    private readonly environment: { appSecrets: string[]; verifyTokens: string[] },
    private readonly refreshMs: number,
    private readonly logger: Logger,
  ) {
    this.credentials = resolveCredentials([], environment);
  }

  current(): WebhookCredentials {
    return this.credentials;
  }

  /** Ready when there is at least one secret and one token to check against. */
  isReady(): boolean {
    return this.credentials.appSecrets.length > 0 && this.credentials.verifyTokens.length > 0;
  }

  async refresh(): Promise<void> {
    try {
      const documents = await this.configs
        .find({ active: true }, { projection: { appSecret: 1, verifyToken: 1, active: 1 } })
        .toArray();
      const next = resolveCredentials(documents, this.environment);
      if (next.source !== this.credentials.source || !this.loadedOnce) {
        this.logger.info(
          { source: next.source, apps: next.appSecrets.length, tokens: next.verifyTokens.length },
          "webhook credentials loaded",
        );
      }
      this.credentials = next;
      this.loadedOnce = true;
    } catch (error) {
      this.logger.warn(
        { err: error, source: this.credentials.source },
        "could not read whatsapp_configs; keeping the last known credentials",
      );
    }
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
