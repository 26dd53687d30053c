import { foldDocuments, groupByDocument, writesFor } from "./fold-engine";
import { ProjectionFailedError } from "./errors";
import { readModel, type ReadModel } from "./projection";
import type { StoredDocument } from "./store-port";

interface Tally {
  _id: string;
  seen: string[];
}
interface Vote {
  id: string;
  voter: string;
}

/** One document per id: the voters seen, a set. */
const tallies = readModel<Vote, Tally>({
  collection: "tallies",
  indexes: [],
  documentId: (vote) => vote.id,
  evolve: (current, vote) => {
    if (current?.seen.includes(vote.voter)) return current;
    return { _id: vote.id, seen: [...(current?.seen ?? []), vote.voter].sort() };
  },
});
const stored = (document: Tally, revision: number): StoredDocument => ({ ...document, revision });

describe("foldDocuments", () => {
  it("folds each document's events from what is stored, counting duplicates by identity", () => {
    const events = [
      { id: "a", voter: "x" },
      { id: "b", voter: "y" },
      { id: "a", voter: "z" },
      { id: "a", voter: "x" },
    ];
    const byDocument = groupByDocument(tallies, events);
    expect([...byDocument.keys()]).toEqual(["a", "b"]);
    const folded = foldDocuments(tallies, byDocument, new Map([["b", stored({ _id: "b", seen: ["y"] }, 4)]]));
    expect(folded.outcome).toEqual({ applied: 2, duplicates: 2 });
    // b already holds y: nothing to write for it.
    expect([...folded.documents]).toEqual([["a", { _id: "a", seen: ["x", "z"] }]]);
  });

  it("sets an exact count declared by the read model, and writes a document whose count alone changed", () => {
    const counted: ReadModel<Vote> = {
      ...tallies,
      exactCount: { field: "votes" as "_id", of: "ballots", by: "tally" },
    };
    const current = new Map([["a", { ...stored({ _id: "a", seen: ["x"] }, 2), votes: 1 }]]);
    const folded = foldDocuments(counted, groupByDocument(counted, [{ id: "a", voter: "x" }]), current, {
      counts: new Map([["a", 3]]),
    });
    expect(folded.outcome).toEqual({ applied: 0, duplicates: 1 });
    expect(folded.documents.get("a")).toMatchObject({ votes: 3 });
  });

  it("turns a throwing evolve into a ProjectionFailedError, which is never retried", () => {
    const broken: ReadModel<Vote> = {
      ...tallies,
      evolve: () => {
        throw new TypeError("boom");
      },
    };
    expect(() =>
      foldDocuments(broken, groupByDocument(broken, [{ id: "a", voter: "x" }]), new Map()),
    ).toThrow(ProjectionFailedError);
  });
});

describe("writesFor", () => {
  it("inserts where nothing was stored and replaces conditionally on the revision read", () => {
    const writes = writesFor(
      new Map([
        ["new", { _id: "new", seen: ["x"] }],
        ["old", { _id: "old", seen: ["x", "y"] }],
      ]),
      new Map([["old", stored({ _id: "old", seen: ["x"] }, 7)]]),
      1,
    );
    expect(writes).toEqual([
      { kind: "insert", document: { _id: "new", seen: ["x"], revision: 1 } },
      { kind: "replace", document: { _id: "old", seen: ["x", "y"], revision: 8 }, expectedRevision: 7 },
    ]);
  });
});
