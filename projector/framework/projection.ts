import type { IndexSpecification } from "mongodb";
import type { TopicId } from "../../contracts/topics";
import { projectorServiceName } from "../../runtime/service-names";
import type { Grouping } from "./grouping";

/** A read-model document: an id the projection chooses; the store adds its own `revision`. */
export interface ProjectedDocument {
  _id: string;
}

/**
 * A read model: documents folded from the events that share an id. `evolve` is pure, idempotent and
 * order-independent, and returns `current` itself when the event is already reflected in it.
 */
export interface ReadModel<E, D extends ProjectedDocument = ProjectedDocument> {
  collection: string;
  indexes: IndexSpecification[];
  /** The document the event belongs to; null: the event is not this read model's (another model of the projection takes it). */
  documentId(event: E): string | null;
  /** Null: nothing to keep yet (an event that only changes a document that does not exist). */
  evolve(current: D | null, event: E): D | null;
  /** Events most likely the first of their document (a message's sent status): written without a read. */
  likelyFirst?(event: E): boolean;
  /**
   * A field the fold cannot derive on its own: the exact number of documents of an earlier read model of
   * this projection whose `by` field holds this document's id (a conversation's messages): one equality
   * count each, which every store answers from the index.
   */
  exactCount?: { field: keyof D & string; of: string; by: string };
}

/**
 * A projection, declared: which topics it reads, which records it handles, how it checks an event, and
 * the read models it keeps. The framework does the rest (decode, skip, validate, dead-letter, read,
 * fold, write, count, commit, trace). Read models are written in the order given; an event counts as
 * applied or duplicate by the first read model that takes it.
 */
export interface Projection<E> {
  /** Registry key: `PROJECTIONS=<name>,...` runs it, `npm run rebuild -- <name>` rebuilds it. */
  name: string;
  /** The topics it reads, in one consumer group; `topic` tells `canHandle` and `validate` which one a record came from. */
  topics: readonly TopicId[];
  /**
   * Whether the decoded record is one this projection handles. A record it does not handle (another
   * field on a shared topic) is skipped and counted, never dead-lettered. Absent: it handles them all.
   */
  canHandle?(decoded: unknown, topic: TopicId): boolean;
  /** The decoded record as an event this projection applies, or why it cannot be applied. */
  validate(decoded: unknown, topic: TopicId): E | string;
  /** Resolves the document each event belongs to before the fold, where ids alone do not say it. */
  grouping?: Grouping<E>;
  readModels: ReadModel<E>[];
}

/** Declares a read model with its document type checked against `evolve`. */
export const readModel = <E, D extends ProjectedDocument>(model: ReadModel<E, D>): ReadModel<E> =>
  model as unknown as ReadModel<E>;

/** Every collection a projection writes. */
export const collectionsOf = (projection: Pick<Projection<never>, "readModels">): string[] =>
  projection.readModels.map((model) => model.collection);

/** A projection's own service name (traces, logs, default consumer group). */
export const serviceNameOf = (projection: Pick<Projection<unknown>, "name">): string =>
  projectorServiceName(projection.name);

export interface BatchOutcome {
  /** Events that changed a read model. */
  applied: number;
  /** Events already reflected (redeliveries, replays): nothing changed. */
  duplicates: number;
}
