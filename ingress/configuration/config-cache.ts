import type { Collection, Db } from "mongodb";
import type { Logger } from "../../runtime/logger";
import type { Keyring } from "../../runtime/secret-box";
import { developmentSecrets } from "../../runtime/whatsapp-settings";
import { ConfigSecretError, openConfigSecrets } from "./config-secrets";
import { resolveCredentials, type WebhookCredentials, type WhatsAppConfig } from "./webhook-credentials";

/** The whatsapp_configs collection: one document per business phone number. */
export function whatsappConfigs(db: Db): Collection<WhatsAppConfig> {
  return db.collection<WhatsAppConfig>("whatsapp_configs");
}

/**
 * A polling cache of the credentials the ingress checks against, re-read from whatsapp_configs every
 * `refreshMs` and opened with `keyring`. When MongoDB cannot be read, the last known credentials stay
 * (or the environment's, before any read). A document whose secrets do not open is skipped and logged,
 * and so is one holding a development secret (dev-app-secret, dev-verify-token) outside development mode.
 */
export class ConfigCache {
  private credentials: WebhookCredentials;
  private timer: NodeJS.Timeout | undefined;
  private loadedOnce = false;
  private unreadable: ConfigSecretError[] = [];
  /** Logged once each: legacy documents by id, unreadable secrets by message. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly configs: Collection<WhatsAppConfig>,
    private readonly environment: { appSecrets: string[]; verifyTokens: string[]; developmentMode?: boolean },
    private readonly refreshMs: number,
    private readonly logger: Logger,
    private readonly keyring?: Keyring,
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

  /** The active documents whose secrets did not open at the last read. */
  unreadableDocuments(): readonly ConfigSecretError[] {
    return this.unreadable;
  }

  async refresh(): Promise<void> {
    let documents: Pick<WhatsAppConfig, "_id" | "appSecret" | "verifyToken" | "active">[];
    try {
      documents = await this.configs
        .find({ active: true }, { projection: { appSecret: 1, verifyToken: 1, active: 1 } })
        .toArray();
    } catch (error) {
      this.logger.warn(
        { err: error, source: this.credentials.source },
        "could not read whatsapp_configs; keeping the last known credentials",
      );
      return;
    }
    const next = resolveCredentials(this.openAll(documents), this.environment);
    if (next.source !== this.credentials.source || !this.loadedOnce) {
      this.logger.info(
        { source: next.source, apps: next.appSecrets.length, tokens: next.verifyTokens.length },
        "webhook credentials loaded",
      );
    }
    if (next.appSecrets.length === 0 && (this.credentials.appSecrets.length > 0 || !this.loadedOnce))
      this.logger.error(
        "no app secret: WHATSAPP_APP_SECRET is empty and no active whatsapp_configs document supplies one; every POST is refused with 401",
      );
    this.credentials = next;
    this.loadedOnce = true;
  }

  /** Opens each document's secrets; skips, and logs once, those that do not open or hold a development secret. */
  private openAll(documents: Pick<WhatsAppConfig, "_id" | "appSecret" | "verifyToken" | "active">[]) {
    const opened: { appSecret: string; verifyToken: string; active: boolean }[] = [];
    const unreadable: ConfigSecretError[] = [];
    for (const document of documents) {
      try {
        const { secrets, plaintext } = openConfigSecrets(
          document,
          ["appSecret", "verifyToken"],
          this.keyring,
        );
        const development = this.environment.developmentMode
          ? []
          : (["appSecret", "verifyToken"] as const).filter((field) =>
              developmentSecrets.includes(secrets[field]),
            );
        if (development.length > 0) {
          // Public values: accepting them would let anyone who read .env.example sign deliveries.
          if (this.firstReport(`development:${document._id}`))
            this.logger.error(
              { phoneNumberId: document._id, fields: development },
              "whatsapp_configs document holds a development secret, accepted only with WHATSAPP_DEV_MODE=1; document skipped",
            );
          continue;
        }
        opened.push({ ...secrets, active: document.active });
        if (plaintext.length > 0 && this.firstReport(`plaintext:${document._id}`))
          this.logger.warn(
            { phoneNumberId: document._id, fields: plaintext },
            "whatsapp_configs document holds plaintext secrets; `npm run config -- rotate-key` seals them",
          );
      } catch (error) {
        if (!(error instanceof ConfigSecretError)) throw error;
        unreadable.push(error);
        if (this.firstReport(error.message))
          this.logger.error(
            { phoneNumberId: error.phoneNumberId, field: error.field, problem: error.problem },
            `${error.message}; document skipped (CONFIG_ENCRYPTION_KEY, CONFIG_ENCRYPTION_KEY_PREVIOUS)`,
          );
      }
    }
    this.unreadable = unreadable;
    return opened;
  }

  private firstReport(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
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
