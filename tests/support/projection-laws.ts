import { InMemoryStore } from "../../projector/framework/in-memory-store";
import type { Projection } from "../../projector/framework/projection";
import { ReadModelWriter } from "../../projector/framework/read-model-writer";
import type { StoredDocument } from "../../projector/framework/store-port";
import { permutations, randomBatches, seeded, shuffled } from "./orders";

/**
 * The law kit every projection passes: for a list of its events, every order of arrival (all of them up
 * to 6 events, else a seeded sample), batched one by one, at random or all at once, every duplicate
 * and a replay of the whole log end in the same documents, and the replay writes nothing. It runs the
 * real framework (grouping, fold engine, conditional writes) over the in-memory store.
 */
export async function expectProjectionLaws<E>(
  projection: Projection<E>,
  events: readonly E[],
  options: { sampledOrders?: number; seed?: number; label?: (event: E) => string } = {},
): Promise<void> {
  const random = seeded(options.seed ?? 7);
  const label = options.label ?? ((event: E) => String(events.indexOf(event)));
  const expected = await projected(
    projection,
    events.map((event) => [event]),
  );

  for (const order of orders(events, options.sampledOrders ?? 120, random)) {
    const arrival = order.map(label).join(" ");
    const oneByOne = order.map((event) => [event]);
    const allAtOnce = [order];
    for (const [batching, batches] of [
      ["one by one", oneByOne],
      ["in random batches", randomBatches(order, random)],
      ["in one batch", allAtOnce],
    ] as const)
      expect({ arrival, batching, documents: await projected(projection, batches) }).toEqual({
        arrival,
        batching,
        documents: expected,
      });
  }

  const twice = shuffled([...events, ...events], random);
  expect({ withDuplicates: await projected(projection, randomBatches(twice, random)) }).toEqual({
    withDuplicates: expected,
  });

  const store = new InMemoryStore();
  const writer = new ReadModelWriter(projection, store, { rememberedDocuments: 100 });
  await writer.apply(events);
  const before = everyDocument(projection, store, { withRevision: true });
  const replay = await new ReadModelWriter(projection, store, { rememberedDocuments: 100 }).apply(events);
  expect({
    replayApplied: replay.applied,
    documents: everyDocument(projection, store, { withRevision: true }),
  }).toEqual({ replayApplied: 0, documents: before });
}

/** The documents of every read model after the batches, without the store's revisions. */
export async function projected<E>(
  projection: Projection<E>,
  batches: readonly (readonly E[])[],
): Promise<Record<string, Record<string, Omit<StoredDocument, "revision">>>> {
  const store = new InMemoryStore();
  const writer = new ReadModelWriter(projection, store, { rememberedDocuments: 100 });
  for (const batch of batches) if (batch.length > 0) await writer.apply(batch);
  return everyDocument(projection, store, { withRevision: false });
}

function everyDocument<E>(
  projection: Projection<E>,
  store: InMemoryStore,
  { withRevision }: { withRevision: boolean },
): Record<string, Record<string, Omit<StoredDocument, "revision">>> {
  const collections: Record<string, Record<string, Omit<StoredDocument, "revision">>> = {};
  for (const { collection } of projection.readModels) {
    const documents = [...store.documents(collection)].sort(([a], [b]) => (a < b ? -1 : 1));
    collections[collection] = Object.fromEntries(
      documents.map(([id, { revision, ...document }]) => [
        id,
        withRevision ? { ...document, revision } : document,
      ]),
    );
  }
  return collections;
}

/** Every permutation up to 6 items (720), else the identity, the reverse and a seeded sample. */
function orders<T>(items: readonly T[], sampled: number, random: () => number): T[][] {
  if (items.length <= 6) return permutations(items);
  return [
    [...items],
    [...items].reverse(),
    ...Array.from({ length: sampled }, () => shuffled(items, random)),
  ];
}
