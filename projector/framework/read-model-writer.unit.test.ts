import { StoreWriteUnconfirmedError } from "./errors";
import { InMemoryStore } from "./in-memory-store";
import type { Projection } from "./projection";
import { ReadModelWriter } from "./read-model-writer";
import type { DocumentWrite, StoredDocument } from "./store-port";

interface Vote {
  id: string;
  voter: string;
}
interface Tally {
  _id: string;
  seen: string[];
}

const projection: Projection<Vote> = {
  name: "tallies",
  topics: ["messageStatus"],
  validate: (decoded) => decoded as Vote,
  readModels: [
    {
      collection: "tallies",
      indexes: [],
      documentId: (vote) => vote.id,
      evolve: (current: Tally | null, vote) =>
        current?.seen.includes(vote.voter)
          ? current
          : { _id: vote.id, seen: [...(current?.seen ?? []), vote.voter].sort() },
      likelyFirst: (vote) => vote.voter === "first",
    } as Projection<Vote>["readModels"][number],
  ],
};

/** The in-memory store with another writer that gets in first, once per id, just before our write. */
class RacedStore extends InMemoryStore {
  readonly calls: string[] = [];
  constructor(private readonly racer: Map<string, string>) {
    super();
  }
  override async find(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument>> {
    this.calls.push(`find ${ids.join(",")}`);
    return super.find(collection, ids);
  }
  override async write(
    collection: string,
    writes: readonly DocumentWrite[],
  ): Promise<{ unconfirmed: string[] }> {
    this.calls.push(`write ${writes.map((w) => `${w.kind} ${w.document._id}`).join(",")}`);
    for (const { document } of writes) {
      const voter = this.racer.get(document._id);
      if (!voter) continue;
      this.racer.delete(document._id);
      const [current] = (await super.find(collection, [document._id])).values();
      const seen = [...((current?.seen as string[] | undefined) ?? []), voter].sort();
      await super.write(collection, [
        current
          ? {
              kind: "replace",
              document: { _id: document._id, seen, revision: current.revision + 1 },
              expectedRevision: current.revision,
            }
          : { kind: "insert", document: { _id: document._id, seen, revision: 1 } },
      ]);
    }
    return super.write(collection, writes);
  }
}

it("re-reads only the ids another writer changed, folds them again from the fresh read, and keeps both writes", async () => {
  const store = new RacedStore(new Map([["a", "theirs"]]));
  const writer = new ReadModelWriter(projection, store, { rememberedDocuments: 10 });

  const outcome = await writer.apply([
    { id: "a", voter: "ours" },
    { id: "b", voter: "ours" },
  ]);

  expect(outcome).toEqual({ applied: 2, duplicates: 0 });
  expect(store.documents("tallies")).toEqual(
    new Map([
      ["a", { _id: "a", seen: ["ours", "theirs"], revision: 2 }],
      ["b", { _id: "b", seen: ["ours"], revision: 1 }],
    ]),
  );
  expect(store.calls).toEqual(["find a,b", "write insert a,insert b", "find a", "write replace a"]);
});

it("writes a likely-first document without a read, and the next event from what it remembers writing", async () => {
  const store = new RacedStore(new Map());
  const writer = new ReadModelWriter(projection, store, { rememberedDocuments: 10 });
  await writer.apply([{ id: "a", voter: "first" }]);
  await writer.apply([{ id: "a", voter: "second" }]);
  expect(store.calls).toEqual(["write insert a", "write replace a"]);
  expect(store.documents("tallies").get("a")).toEqual({ _id: "a", seen: ["first", "second"], revision: 2 });
});

it("gives up after the rounds it is allowed and forgets what it could not confirm", async () => {
  const store = new InMemoryStore();
  store.write = async (_collection, writes) => ({ unconfirmed: writes.map((w) => w.document._id) });
  const writer = new ReadModelWriter(projection, store, { rememberedDocuments: 10, maxRounds: 3 });
  await expect(writer.apply([{ id: "a", voter: "x" }])).rejects.toThrow(StoreWriteUnconfirmedError);
});

it("counts each event by the first read model that takes it, and leaves a model's others out of it", async () => {
  // Two read models: ballots take only votes with a ballot; tallies take every vote.
  type Ballot = Vote & { ballot?: string };
  const twoModels: Projection<Ballot> = {
    ...(projection as Projection<Ballot>),
    readModels: [
      {
        collection: "ballots",
        indexes: [],
        documentId: (vote: Ballot) => vote.ballot ?? null,
        evolve: (current: { _id: string } | null, vote: Ballot) => current ?? { _id: vote.ballot! },
      } as Projection<Ballot>["readModels"][number],
      ...(projection as Projection<Ballot>).readModels,
    ],
  };
  const store = new InMemoryStore();
  const writer = new ReadModelWriter(twoModels, store, { rememberedDocuments: 100 });
  const votes: Ballot[] = [
    { id: "a", voter: "x", ballot: "b1" },
    { id: "a", voter: "y" },
    { id: "a", voter: "y" },
  ];
  // The first by ballots (applied), the second by tallies (applied), the third a duplicate in tallies.
  expect(await writer.apply(votes)).toEqual({ applied: 2, duplicates: 1 });
  expect([...(await store.find("ballots", ["b1", "a"])).keys()]).toEqual(["b1"]);
  expect((await store.find("tallies", ["a"])).get("a")).toMatchObject({ seen: ["x", "y"] });
  expect(await writer.apply(votes)).toEqual({ applied: 0, duplicates: 3 });
});
