import { StoreUnavailableError } from "../framework/errors";
import type { Logger } from "../../runtime/logger";

/** What the reconnector needs of a MongoClient. */
export interface ReopenableClient {
  close(): Promise<void>;
  connect(): Promise<unknown>;
}

/**
 * Reopens the MongoDB client once store calls have found the store unavailable (no server selected, the
 * connection lost, also when the driver wraps it in a bulk write's error) for `afterMs` without a
 * success in between: after the MongoDB-wire server restarted, a driver was seen to keep no connection
 * and retry nothing for minutes while its sibling process reconnected at once.
 */
export class StoreReconnector {
  private failingSince: number | null = null;
  private reopening: Promise<void> | null = null;

  constructor(
    private readonly client: ReopenableClient,
    private readonly afterMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  succeeded(): void {
    this.failingSince = null;
  }

  /** Hears of a failed store call; reopens the client when the server has been unreachable too long. */
  async failed(error: unknown): Promise<void> {
    if (!(error instanceof StoreUnavailableError)) return;
    const now = this.now();
    this.failingSince ??= now;
    if (now - this.failingSince < this.afterMs) return;
    this.reopening ??= this.reopen(now - this.failingSince).finally(() => {
      this.reopening = null;
      this.failingSince = null;
    });
    await this.reopening;
  }

  private async reopen(failingMs: number): Promise<void> {
    this.logger.warn(
      { failingMs },
      "no MongoDB-wire server selected for too long: closing and reopening the client",
    );
    await this.client.close().catch(() => undefined);
    await this.client.connect().catch((error: unknown) => {
      this.logger.warn({ err: error }, "reopening the MongoDB client failed; the next failure tries again");
    });
  }
}
