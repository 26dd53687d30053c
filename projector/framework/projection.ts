import type { Db } from "mongodb";
import type { TopicId } from "../../contracts/topics";

export interface BatchOutcome {
  /** Events that changed a read model. */
  applied: number;
  /** Events already reflected (redeliveries, replays): nothing changed. */
  duplicates: number;
}

/**
 * What a projector service needs to know about its projection; the runner does the Kafka side
 * (batches, offsets, dead letters, traces, metrics) the same way for every projection.
 */
export interface Projection<E> {
  /** OpenTelemetry service name and default consumer group. */
  serviceName: string;
  topic: TopicId;
  /** Read-model collections, by role; a rebuild gives each a temporary name, then swaps. */
  collections: Record<string, string>;
  /** Checks a decoded record is an event this projection can apply; a string is the reason it is not. */
  validate(decoded: unknown): E | string;
  ensureIndexes(db: Db, collections: Record<string, string>): Promise<void>;
  /** Applies a batch to MongoDB; must be idempotent and order-independent. */
  apply(db: Db, collections: Record<string, string>, events: readonly E[]): Promise<BatchOutcome>;
}
