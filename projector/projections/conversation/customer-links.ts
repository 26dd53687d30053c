import type { InboundMessageEvent } from "../../../contracts/generated/types";
import { declared, StoreWriteUnconfirmedError } from "../../framework/errors";
import type { GroupedBatch, Grouping, GroupingStore, JustRead } from "../../framework/grouping";
import type { ProjectedDocument } from "../../framework/projection";
import type { StoredDocument } from "../../framework/store-port";
import { planLinks, type LinkPlan } from "./linked-ids";

/** An inbound message with the conversation it belongs to, once the customer's ids are resolved. */
export interface CustomerMessage {
  message: InboundMessageEvent;
  conversationId: string;
}

/** An event of one customer: it names the conversation it belongs to once the customer's ids are resolved. */
export interface CustomerEvent {
  conversationId: string;
}

/** What a customer's linked ids and merges need from the conversation projection. */
export interface CustomerLinking<E extends CustomerEvent, D extends ProjectedDocument> {
  /** The read model whose documents are linked (one per customer). */
  collection: string;
  /** The ids an event names, all of one customer. */
  ids(event: E): string[];
  /** The id the linked documents go by: a function of the set, so the order of arrival cannot change it. */
  survivor(ids: readonly string[]): string;
  /** Two folds of one customer joined: commutative, associative and idempotent. */
  merge(a: D, b: D): D;
  /** Fields of other read models that hold the linked document's id: kept naming the survivor. */
  references: readonly { collection: string; field: string }[];
}

/** A pointer: what a merged-away document keeps, and what every other id of its customer holds. */
export interface MergedDocument extends ProjectedDocument {
  mergedInto: string;
}

export const isMerged = (document: object | null | undefined): document is MergedDocument =>
  typeof (document as { mergedInto?: unknown } | null | undefined)?.mergedInto === "string";

/** A linked document as stored: besides its fold, every id that names it. */
type LinkedDocument = StoredDocument & { linkedIds?: string[] };

/**
 * The conversation's grouping step: one customer is known under several ids (phone number, BSUIDs).
 * Every document found under linked ids is merged into the one whose id `survivor` chooses, and every
 * other id keeps a pointer in the same collection, `{_id, mergedInto}`, so that one read by any id finds
 * the customer. Each event comes out with its survivor as `conversationId`. Any order of arrival ends
 * in the same documents: the pointers are written after the read models, and the documents merged away
 * become pointers last, so a replay that stops in between finds them live and does it all again.
 */
export function customerLinks<E extends CustomerEvent, D extends ProjectedDocument>(
  linking: CustomerLinking<E, D>,
): Grouping<E> {
  return {
    collection: linking.collection,
    resolve: async (events, store) => {
      const idsPerEvent = events.map((event) => [...new Set(declared("ids", () => linking.ids(event)))]);
      const links = await readLinks(linking, idsPerEvent, store);
      return linkedBatch(linking, events, links);
    },
  };
}

/** What the store holds for a batch's ids, and the plan drawn from it. */
interface Links {
  plan: LinkPlan;
  /** Ids found as pointers when the ids were resolved. */
  merged: ReadonlySet<string>;
  /** What resolving read: the ids asked and the documents found. */
  read: JustRead;
}

async function readLinks<E extends CustomerEvent, D extends ProjectedDocument>(
  linking: CustomerLinking<E, D>,
  idsPerEvent: string[][],
  store: GroupingStore,
): Promise<Links> {
  const documents = new Set<string>();
  const mergedInto = new Map<string, string>();
  const liveLinkedIds = new Map<string, readonly string[]>();
  const read = { ids: new Set<string>(), documents: new Map<string, StoredDocument>() };
  const know = (id: string, document: LinkedDocument) => {
    documents.add(id);
    if (isMerged(document)) mergedInto.set(id, document.mergedInto);
    else liveLinkedIds.set(id, document.linkedIds ?? [id]);
  };
  const readDocuments = async (ids: string[]) => {
    for (const id of ids) read.ids.add(id);
    for (const [id, document] of await store.find(linking.collection, ids)) {
      read.documents.set(id, document);
      know(id, document);
    }
  };
  // The documents the ids name: as this process last wrote them where it remembers them (a write from
  // them is conditional on their revision), else read. Pointers are always read: another writer may
  // have moved them since.
  const unknown: string[] = [];
  for (const id of new Set(idsPerEvent.flat())) {
    const remembered = store.remembered(linking.collection, id);
    if (remembered && !isMerged(remembered)) know(id, remembered);
    else unknown.push(id);
  }
  const unread = (ids: Iterable<string>) =>
    [...new Set(ids)].filter((id) => !documents.has(id) && !read.ids.has(id));
  // Where the pointers lead (a chain when the document pointed to was merged in turn).
  const followPointers = async () => {
    for (let hop = 0; hop < 10; hop++) {
      const toRead = unread(mergedInto.values());
      if (toRead.length === 0) break;
      await readDocuments(toRead);
    }
  };
  await readDocuments(unknown);
  await followPointers();
  // A document to be merged away brings every id it is known under: each is read and joins the set.
  const joined = new Map<string, readonly string[]>();
  const planOf = () =>
    planLinks(idsPerEvent, { mergedInto, documents, linkedIds: joined }, (ids) =>
      declared("survivor", () => linking.survivor(ids)),
    );
  let plan = planOf();
  for (let round = 0; round < 10; round++) {
    const away = [...plan.mergedAway.values()].flat().filter((id) => !joined.has(id));
    if (away.length === 0) break;
    for (const id of away) joined.set(id, liveLinkedIds.get(id) ?? [id]);
    await readDocuments(unread(away.flatMap((id) => joined.get(id)!)));
    await followPointers();
    plan = planOf();
  }
  return { plan, merged: new Set(mergedInto.keys()), read };
}

function linkedBatch<E extends CustomerEvent, D extends ProjectedDocument>(
  linking: CustomerLinking<E, D>,
  events: readonly E[],
  { plan, merged, read }: Links,
): GroupedBatch<E> {
  const mergedAway = (id: string): string[] => plan.mergedAway.get(id) ?? [];
  const { collection } = linking;

  /** The survivor's stored document, or null; a pointer another writer wrote since resolving fails the slice. */
  const live = (id: string, stored: ReadonlyMap<string, StoredDocument>): LinkedDocument | null => {
    const document = stored.get(id) ?? null;
    if (isMerged(document) && !merged.has(id))
      throw new StoreWriteUnconfirmedError(`${collection}: ${id} was merged meanwhile`);
    return isMerged(document) ? null : document;
  };

  return {
    events: events.map((event, i) => ({ ...event, conversationId: plan.survivorOfEvent[i]! })),
    joinedIds: [...plan.mergedAway.values()].flat(),
    justRead: read,

    // The survivor's own document joined with every document merged into it (itself when none is).
    startFrom: (id, stored) => {
      let document: ProjectedDocument | null = live(id, stored);
      for (const awayId of mergedAway(id)) {
        const other = stored.get(awayId);
        if (!other || isMerged(other)) continue;
        const { revision: _revision, ...content } = other;
        const joined = { ...content, _id: id } as unknown as D;
        document = document
          ? declared("merge", () => linking.merge(document as D, joined))
          : (joined as ProjectedDocument);
      }
      return document;
    },

    // Every id that names the survivor: the batch's, its own and those of the documents merged into it.
    finish: (id, document, stored) => {
      const ids = new Set([...(plan.idsOf.get(id) ?? [id]), ...(live(id, stored)?.linkedIds ?? [])]);
      for (const awayId of mergedAway(id)) {
        const other = stored.get(awayId) as LinkedDocument | undefined;
        if (other && !isMerged(other)) for (const otherId of other.linkedIds ?? [other._id]) ids.add(otherId);
      }
      const linkedIds = [...ids].sort();
      return sameIds((document as Partial<LinkedDocument>).linkedIds, linkedIds)
        ? document
        : ({ ...document, linkedIds } as ProjectedDocument);
    },

    // The other read models' references to documents about to be merged away now name the survivor.
    before: async (store) => {
      for (const [survivor, away] of plan.mergedAway)
        if (away.length > 0)
          for (const reference of linking.references)
            await store.repoint(reference.collection, reference.field, away, survivor);
    },

    after: async (store, stored) => {
      await writePointers(store, collection, plan, read);
      await retireMerged(store, collection, plan, stored);
    },
  };
}

/**
 * Points every other id of each survivor at it. A pointer is only ever written over nothing or over
 * the pointer the ids were resolved with: a live document or a pointer another writer moved meanwhile
 * fails the slice, which is then resolved again.
 */
async function writePointers(
  store: GroupingStore,
  collection: string,
  plan: LinkPlan,
  read: JustRead,
): Promise<void> {
  if (plan.pointerWrites.size === 0) return;
  await store.writeInRounds(
    collection,
    [...plan.pointerWrites.keys()],
    (stored) => {
      const pointers = new Map<string, ProjectedDocument>();
      for (const [id, target] of plan.pointerWrites) {
        const current = stored.get(id);
        if (current !== undefined) {
          const seen = read.documents.get(id);
          if (
            !isMerged(current) ||
            (current.mergedInto !== target &&
              current.mergedInto !== (isMerged(seen) ? seen.mergedInto : null))
          )
            throw new StoreWriteUnconfirmedError(`${collection}: ${id} was written meanwhile`);
          if (current.mergedInto === target) continue;
        }
        pointers.set(id, pointer(id, target));
      }
      return pointers;
    },
    read,
  );
}

/**
 * Turns each document the batch merged away into a pointer to its survivor, conditional on the
 * revision it was merged at: one changed since then fails the slice, which merges it again.
 */
async function retireMerged(
  store: GroupingStore,
  collection: string,
  plan: LinkPlan,
  stored: ReadonlyMap<string, StoredDocument>,
): Promise<void> {
  const retiring = new Map<string, { survivor: string; document: StoredDocument }>();
  for (const [survivor, away] of plan.mergedAway)
    for (const id of away) {
      const document = stored.get(id);
      if (document && !isMerged(document)) retiring.set(id, { survivor, document });
    }
  if (retiring.size === 0) return;
  const asMerged = new Map([...retiring].map(([id, { document }]) => [id, document]));
  await store.writeInRounds(
    collection,
    [...retiring.keys()],
    (current) => {
      const pointers = new Map<string, ProjectedDocument>();
      for (const [id, { survivor }] of retiring) {
        const now = current.get(id);
        if (now === undefined || (isMerged(now) && now.mergedInto === survivor)) continue;
        if (isMerged(now) || now.revision !== asMerged.get(id)!.revision)
          throw new StoreWriteUnconfirmedError(`${collection}: ${id} changed while merged`);
        pointers.set(id, pointer(id, survivor));
      }
      return pointers;
    },
    { ids: new Set(retiring.keys()), documents: asMerged },
  );
}

const pointer = (id: string, mergedInto: string): MergedDocument => ({ _id: id, mergedInto });

const sameIds = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((id, i) => id === b[i]);
