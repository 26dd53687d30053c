/** One status of an outbound message, as a delivery carries it (timestamp in seconds, as Meta sends it). */
export interface StatusEffect {
  wamid: string;
  status: string;
  timestamp: number;
}

export interface LifecycleOptions {
  random: () => number;
  /** A new outbound message's wamid. */
  nextId: () => string;
  /** Meta's timestamp (seconds) of the status being generated. */
  clock: () => number;
  /** Statuses generated between a message's sent and its delivered (about 1 s of traffic at 200 deliveries/s). */
  deliveredAfter?: number;
  /** Statuses generated between a message's delivered and its read. */
  readAfter?: number;
  /** Share of delivered messages that are read. */
  readShare?: number;
}

/**
 * The statuses of a business's outbound messages through their lifecycle: every message is sent, then
 * delivered `deliveredAfter` statuses later, and `readShare` of them read `readAfter` statuses after
 * that. Once the first messages come due, about 4 statuses in 10 open a new message (one document
 * inserted) and the others change a message seen before (one document replaced), as a real
 * status stream does; a stream of fresh wamids alone would only ever insert.
 */
export function statusLifecycle(options: LifecycleOptions): () => StatusEffect {
  const deliveredAfter = options.deliveredAfter ?? 500;
  const readAfter = options.readAfter ?? 2000;
  const readShare = options.readShare ?? 0.6;
  // FIFO queues of the messages waiting for their next status, with the status count they come due at.
  const toDeliver: { wamid: string; due: number }[] = [];
  const toRead: { wamid: string; due: number }[] = [];
  let generated = 0;
  return () => {
    const now = generated++;
    const timestamp = options.clock();
    if (toRead.length > 0 && toRead[0]!.due <= now) {
      return { wamid: toRead.shift()!.wamid, status: "read", timestamp };
    }
    if (toDeliver.length > 0 && toDeliver[0]!.due <= now) {
      const { wamid } = toDeliver.shift()!;
      if (options.random() < readShare) toRead.push({ wamid, due: now + readAfter });
      return { wamid, status: "delivered", timestamp };
    }
    const wamid = options.nextId();
    toDeliver.push({ wamid, due: now + deliveredAfter });
    return { wamid, status: "sent", timestamp };
  };
}
