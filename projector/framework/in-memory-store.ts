import type { DocumentWrite, ReadModelStore, StoredDocument } from "./store-port";

/**
 * The store port in memory, for unit tests and the projection law kit: the same conditional writes as
 * the MongoDB adapter (an insert over a document, or a replace over another revision, does not land),
 * with copies in and out so that no caller shares a document with it.
 */
export class InMemoryStore implements ReadModelStore {
  readonly database = "in-memory";
  private readonly collections = new Map<string, Map<string, StoredDocument>>();

  /** Every document of a collection, by id, as stored. */
  documents(collection: string): Map<string, StoredDocument> {
    return new Map([...this.collection(collection)].map(([id, document]) => [id, copyOf(document)]));
  }

  find(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument>> {
    const stored = this.collection(collection);
    const found = new Map<string, StoredDocument>();
    for (const id of ids) {
      const document = stored.get(id);
      if (document) found.set(id, copyOf(document));
    }
    return Promise.resolve(found);
  }

  write(collection: string, writes: readonly DocumentWrite[]): Promise<{ unconfirmed: string[] }> {
    const stored = this.collection(collection);
    const unconfirmed: string[] = [];
    for (const write of writes) {
      const current = stored.get(write.document._id);
      // A replace upserts on `{_id, revision}`: it lands over that revision, or where nothing is stored.
      const lands =
        write.kind === "insert"
          ? current === undefined
          : current === undefined || current.revision === write.expectedRevision;
      if (lands) stored.set(write.document._id, copyOf(write.document));
      else unconfirmed.push(write.document._id);
    }
    return Promise.resolve({ unconfirmed });
  }

  countBy(collection: string, field: string, values: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map(values.map((value) => [value, 0]));
    for (const document of this.collection(collection).values()) {
      const value = document[field];
      if (typeof value === "string" && counts.has(value)) counts.set(value, counts.get(value)! + 1);
    }
    return Promise.resolve(counts);
  }

  repoint(collection: string, field: string, from: readonly string[], to: string): Promise<void> {
    const moved = new Set(from);
    for (const [id, document] of this.collection(collection))
      if (typeof document[field] === "string" && moved.has(document[field]))
        this.collection(collection).set(id, { ...document, [field]: to, revision: document.revision + 1 });
    return Promise.resolve();
  }

  ensureCollection(collection: string): Promise<void> {
    this.collection(collection);
    return Promise.resolve();
  }

  private collection(name: string): Map<string, StoredDocument> {
    let collection = this.collections.get(name);
    if (!collection) this.collections.set(name, (collection = new Map()));
    return collection;
  }
}

/** A deep copy of a stored value: Dates, arrays and plain objects copied, everything else kept. */
function copyOf<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(copyOf) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, copyOf(field)])) as T;
  return value;
}
