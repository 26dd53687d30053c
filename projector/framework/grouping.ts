import type { ProjectedDocument } from "./projection";
import type { StoredDocument } from "./store-port";

/**
 * A projection's grouping step (as Marten's custom groupers): where the event's ids alone cannot say
 * which document it belongs to (one customer under a phone number and a BSUID), it resolves the batch
 * against the store before the fold. The framework stays unaware of what the ids mean.
 */
export interface Grouping<E> {
  /** The read model whose documents the grouping resolves. */
  collection: string;
  resolve(events: readonly E[], store: GroupingStore): Promise<GroupedBatch<E>>;
}

/** What a grouping resolved for one batch. */
export interface GroupedBatch<E> {
  /** The events as every read model folds them, each naming the document it belongs to. */
  events: E[];
  /** Documents the grouped model reads besides those its events name: the ones joined into them. */
  joinedIds: readonly string[];
  /** What resolving read: the fold's first round starts from it (an id read and not found is absent). */
  justRead: JustRead;
  /** Pure: the document `id`'s events fold from, given what is stored (e.g. joined with what it absorbs). */
  startFrom(id: string, stored: ReadonlyMap<string, StoredDocument>): ProjectedDocument | null;
  /** Pure: the folded document with what the grouping keeps in it (the ids it goes by). */
  finish(
    id: string,
    document: ProjectedDocument,
    stored: ReadonlyMap<string, StoredDocument>,
  ): ProjectedDocument;
  /** Writes that must precede the read models' (references to documents about to be joined). */
  before(store: GroupingStore): Promise<void>;
  /** Writes that must follow them, given the grouped model's documents as its fold last read them. */
  after(store: GroupingStore, stored: ReadonlyMap<string, StoredDocument>): Promise<void>;
}

export interface JustRead {
  ids: ReadonlySet<string>;
  documents: ReadonlyMap<string, StoredDocument>;
}

/** The store as a grouping sees it: by declared collection names, with the writer's memory and rounds. */
export interface GroupingStore {
  /** As this process last wrote it, when it remembers. */
  remembered(collection: string, id: string): StoredDocument | undefined;
  find(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument>>;
  /** Writes what the pure `decide` returns, deciding again from fresh reads for ids another writer moved. */
  writeInRounds(
    collection: string,
    ids: readonly string[],
    decide: (stored: ReadonlyMap<string, StoredDocument>) => Map<string, ProjectedDocument>,
    justRead?: JustRead,
  ): Promise<void>;
  repoint(collection: string, field: string, from: readonly string[], to: string): Promise<void>;
}
