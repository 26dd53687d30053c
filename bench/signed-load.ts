import type { SignedDelivery } from "./delivery-mix";
import { postDelivery } from "./http-load";

export interface Attempt {
  startedAt: number;
  answeredAt: number;
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  requestId: string | null;
}

export interface TrackedDelivery {
  delivery: SignedDelivery;
  attempts: Attempt[];
  acknowledged: boolean;
}

/** Sends one delivery, reads its answer through: its status and request id. */
export type DeliveryPost = (
  baseUrl: string,
  delivery: SignedDelivery,
  signal: AbortSignal,
) => Promise<{ status: number; requestId: string | null }>;

/** Through the global `fetch` and its keep-alive connections. */
const postWithFetch: DeliveryPost = async (baseUrl, delivery, signal) => {
  const response = await postDelivery(baseUrl, delivery, signal);
  await response.arrayBuffer();
  return { status: response.status, requestId: response.headers.get("x-request-id") };
};

const retryAfterMs = 1000;
/** A scenario's recovery window: a delivery not acknowledged this long after its first attempt is given up on, and the audit counts it as lost. */
const defaultRecoveryWindowMs = 90_000;

/**
 * Steady signed load at a fixed rate, as Meta sends it: a delivery answered anything but 200 is sent
 * again (same bytes, same signature) after a second, until it is acknowledged. Every attempt is kept.
 */
export class SignedLoad {
  readonly tracked: TrackedDelivery[] = [];
  private pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly recoveryWindowMs = defaultRecoveryWindowMs,
    private readonly post: DeliveryPost = postWithFetch,
  ) {}

  /** Sends `perSecond` deliveries from `next` (instead of any load started before) until it returns undefined. */
  start(next: () => SignedDelivery | undefined, perSecond: number): void {
    this.stopSending();
    const tick = 50;
    const perTick = (perSecond * tick) / 1000;
    let owed = 0;
    this.timer = setInterval(() => {
      owed += perTick;
      for (; owed >= 1; owed--) {
        const delivery = next();
        if (!delivery) return this.stopSending();
        this.send(delivery);
      }
    }, tick);
  }

  stopSending(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops new deliveries and waits until every one sent so far is acknowledged (or gave up). */
  async drain(): Promise<void> {
    this.stopSending();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  send(delivery: SignedDelivery): void {
    const tracked: TrackedDelivery = { delivery, attempts: [], acknowledged: false };
    this.tracked.push(tracked);
    const work = this.deliver(tracked).finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  private async deliver(tracked: TrackedDelivery): Promise<void> {
    const givesUpAt = Date.now() + this.recoveryWindowMs;
    while (!tracked.acknowledged && Date.now() < givesUpAt) {
      const startedAt = Date.now();
      let status: number;
      let requestId: string | null = null;
      try {
        ({ status, requestId } = await this.post(
          this.baseUrl,
          tracked.delivery,
          AbortSignal.timeout(15_000),
        ));
      } catch {
        status = 0; // the connection failed: no answer at all
      }
      tracked.attempts.push({ startedAt, answeredAt: Date.now(), status, requestId });
      if (status === 200) tracked.acknowledged = true;
      else await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    }
  }
}
