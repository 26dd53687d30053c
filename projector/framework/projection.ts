import type { IndexSpecification } from "mongodb";
import type { TopicId } from "../../contracts/topics";
import { projectorServiceName } from "../../runtime/service-names";

/** A read-model document: an id the projection chooses; the store adds its own `revision`. */
export interface ProjectedDocument {
  _id: string;
}

/** One document per event, written once and never changed (a replay finds it there). */
export interface DocumentPerEvent<E, D extends ProjectedDocument> {
  kind: "document-per-event";
  collection: string;
  indexes: IndexSpecification[];
  document(event: E): D;
}

/**
 * Documents folded from the events that share an id: `evolve` is pure, idempotent and
 * order-independent, and returns `current` itself when the event is already reflected in it.
 */
export interface FoldedDocuments<E, D extends ProjectedDocument> {
  kind: "folded";
  collection: string;
  indexes: IndexSpecification[];
  documentId(event: E): string;
  /** Null: nothing to keep yet (an event that only changes a document that does not exist). */
  evolve(current: D | null, event: E): D | null;
  /** Events most likely the first of their document (a message's sent status): written without a read. */
  likelyFirst?(event: E): boolean;
  /**
   * A field the fold cannot derive on its own: the exact number of documents of another read model of
   * this projection whose `by` field holds this document's id (a conversation's messages): one equality
   * count each, which every store answers from the index.
   */
  exactCount?: { field: keyof D & string; of: string; by: string };
  /** One entity known under several ids (a customer by phone number and by BSUID). */
  linked?: LinkedIds<E, D>;
}

/**
 * Ids that name one entity. Events name the ids they link; every document found under linked ids is
 * merged into the one whose id `survivor` chooses, and every other id keeps a pointer in the same
 * collection, `{_id, mergedInto}`, so that one read by any id finds the entity. Any order of arrival
 * ends in the same documents.
 */
export interface LinkedIds<E, D> {
  /** The ids this event names, all of one entity: its document id when nothing links them is the survivor's. */
  ids(event: E): string[];
  /** The id the linked documents go by: a function of the set, so the order of arrival cannot change it. */
  survivor(ids: readonly string[]): string;
  /** Two folds of one entity joined: commutative, associative and idempotent. */
  merge(a: D, b: D): D;
  /**
   * Fields of this projection's other read models that hold this model's document id: kept pointing at
   * the survivor. A field a document leaves null stays null (it belongs to no document yet).
   */
  references: { collection: string; field: string }[];
}

/** A pointer: what a merged-away document keeps, and what every other id of its entity holds. */
export interface MergedDocument extends ProjectedDocument {
  mergedInto: string;
}

export const isMerged = (document: object | null | undefined): document is MergedDocument =>
  typeof (document as { mergedInto?: unknown } | null | undefined)?.mergedInto === "string";

export type ReadModel<E> = DocumentPerEvent<E, ProjectedDocument> | FoldedDocuments<E, ProjectedDocument>;

/**
 * A projection, declared: which topic it reads, how it checks an event, and the read models it keeps.
 * The framework does the rest (decode, validate, dead-letter, read, fold, write, count, commit, trace).
 * Read models are written in the order given; events count as applied or duplicate by the first.
 */
export interface Projection<E> {
  /** Registry key: `PROJECTION=<name>` runs it, `npm run rebuild -- <name>` rebuilds it. */
  name: string;
  topic: TopicId;
  /** The decoded record as an event this projection applies, or why it cannot be applied. */
  validate(decoded: unknown): E | string;
  readModels: ReadModel<E>[];
}

/** Declares a folded read model with its document type checked against `evolve`. */
export const folded = <E, D extends ProjectedDocument>(
  model: Omit<FoldedDocuments<E, D>, "kind">,
): ReadModel<E> => ({ kind: "folded", ...model }) as unknown as ReadModel<E>;

/** Declares a document-per-event read model with its document type checked. */
export const documentPerEvent = <E, D extends ProjectedDocument>(
  model: Omit<DocumentPerEvent<E, D>, "kind">,
): ReadModel<E> => ({ kind: "document-per-event", ...model });

/** Every collection a projection writes. */
export const collectionsOf = (projection: Pick<Projection<never>, "readModels">): string[] =>
  projection.readModels.map((model) => model.collection);

/** The projector's service name (traces, logs, metrics, default consumer group). */
export const serviceNameOf = (projection: Pick<Projection<unknown>, "name">): string =>
  projectorServiceName(projection.name);

export interface BatchOutcome {
  /** Events that changed a read model. */
  applied: number;
  /** Events already reflected (redeliveries, replays): nothing changed. */
  duplicates: number;
}
