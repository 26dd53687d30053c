import { planLinks, type StoredLinks } from "./linked-ids";

/** The survivor of a set: its smallest id (ids come sorted, so any function of the set would do). */
const smallest = (ids: readonly string[]): string => [...ids].sort()[0]!;

const stored = (links: Partial<StoredLinks> = {}): StoredLinks => ({
  mergedInto: links.mergedInto ?? new Map(),
  documents: new Set([...(links.documents ?? []), ...(links.mergedInto?.keys() ?? [])]),
  linkedIds: links.linkedIds,
});

describe("planLinks", () => {
  it("puts ids named together in one set with one survivor, and keeps unrelated ids apart", () => {
    const plan = planLinks([["b", "c"], ["x"], ["d", "c"], ["a", "b"]], stored(), smallest);
    expect(plan.survivorOfEvent).toEqual(["a", "x", "a", "a"]);
    expect(plan.idsOf).toEqual(
      new Map([
        ["a", ["a", "b", "c", "d"]],
        ["x", ["x"]],
      ]),
    );
    expect(plan.mergedAway).toEqual(
      new Map([
        ["a", []],
        ["x", []],
      ]),
    );
    // Every id but the survivor's gets a pointer to it.
    expect(plan.pointerWrites).toEqual(
      new Map([
        ["b", "a"],
        ["c", "a"],
        ["d", "a"],
      ]),
    );
  });

  it("asks the survivor of the whole set, sorted, whatever id an event names first", () => {
    const asked: string[][] = [];
    const largest = (ids: readonly string[]) => {
      asked.push([...ids]);
      return ids[ids.length - 1]!;
    };
    const plan = planLinks(
      [
        ["b", "a"],
        ["c", "b"],
      ],
      stored(),
      largest,
    );
    expect(asked).toEqual([["a", "b", "c"]]);
    expect(plan.survivorOfEvent).toEqual(["c", "c"]);
  });

  it("links a new id to the existing document its companion's pointer leads to", () => {
    const plan = planLinks(
      [["p:bsuid", "p:new"]],
      stored({ mergedInto: new Map([["p:bsuid", "p:1"]]), documents: new Set(["p:1"]) }),
      smallest,
    );
    expect(plan.survivorOfEvent).toEqual(["p:1"]);
    expect(plan.idsOf.get("p:1")).toEqual(["p:1", "p:bsuid", "p:new"]);
    expect(plan.mergedAway.get("p:1")).toEqual([]);
    expect(plan.pointerWrites.get("p:new")).toBe("p:1");
    expect(plan.pointerWrites.has("p:bsuid")).toBe(false);
  });

  it("merges away the non-survivor of two live documents one event links; the survivor's write makes it a pointer", () => {
    const links = stored({
      mergedInto: new Map([["p:u1", "p:1"]]),
      documents: new Set(["p:1", "p:u2"]),
    });
    const plan = planLinks([["p:u1", "p:u2"]], links, smallest);
    expect(plan.survivorOfEvent).toEqual(["p:1"]);
    expect(plan.mergedAway).toEqual(new Map([["p:1", ["p:u2"]]]));
    expect(plan.idsOf.get("p:1")).toEqual(["p:1", "p:u1", "p:u2"]);
    expect(plan.pointerWrites.size).toBe(0);
  });

  it("follows a chain of pointers to the set of its end, and points its start at the survivor", () => {
    const plan = planLinks(
      [["p:u"]],
      stored({
        mergedInto: new Map([
          ["p:u", "p:c"],
          ["p:c", "p:b"],
          ["p:b", "p:a"],
        ]),
        documents: new Set(["p:a"]),
      }),
      smallest,
    );
    expect(plan.survivorOfEvent).toEqual(["p:a"]);
    expect(plan.idsOf.get("p:a")).toEqual(["p:a", "p:b", "p:c", "p:u"]);
    expect(plan.pointerWrites).toEqual(
      new Map([
        ["p:c", "p:a"],
        ["p:u", "p:a"],
      ]),
    );
    // Pointers are no documents to merge.
    expect(plan.mergedAway.get("p:a")).toEqual([]);
  });

  it("merges a pointer's live document when a new link makes another id the survivor", () => {
    const plan = planLinks(
      [["p:a", "p:u"]],
      stored({
        mergedInto: new Map([
          ["p:u", "p:c"],
          ["p:c", "p:b"],
        ]),
        documents: new Set(["p:b"]),
      }),
      smallest,
    );
    expect(plan.survivorOfEvent).toEqual(["p:a"]);
    expect(plan.mergedAway.get("p:a")).toEqual(["p:b"]);
    expect(plan.pointerWrites.has("p:a")).toBe(false);
    expect(plan.pointerWrites.has("p:b")).toBe(false);
    expect(plan.pointerWrites.get("p:u")).toBe("p:a");
    expect(plan.pointerWrites.get("p:c")).toBe("p:a");
  });

  it("points the ids that pointed at a document merged away at the survivor", () => {
    const plan = planLinks(
      [["p:1", "p:2"]],
      stored({
        mergedInto: new Map([["p:u2", "p:2"]]),
        documents: new Set(["p:1", "p:2"]),
        linkedIds: new Map([
          ["p:2", ["p:2", "p:u2", "p:v2"]],
          ["p:1", ["p:1"]],
        ]),
      }),
      smallest,
    );
    expect(plan.mergedAway.get("p:1")).toEqual(["p:2"]);
    expect(plan.idsOf.get("p:1")).toEqual(["p:1", "p:2", "p:u2", "p:v2"]);
    // p:v2 has no pointer yet (a write lost to a crash): it gets one too.
    expect(plan.pointerWrites).toEqual(
      new Map([
        ["p:u2", "p:1"],
        ["p:v2", "p:1"],
      ]),
    );
  });

  it("merges a live document found among the ids of a document merged away", () => {
    const plan = planLinks(
      [["p:1", "p:2"]],
      stored({
        documents: new Set(["p:1", "p:2", "p:u2"]),
        linkedIds: new Map([["p:2", ["p:2", "p:u2"]]]),
      }),
      smallest,
    );
    expect(plan.mergedAway.get("p:1")).toEqual(["p:2", "p:u2"]);
    expect(plan.pointerWrites.size).toBe(0);
  });

  it("writes nothing when every pointer already leads to the survivor", () => {
    const plan = planLinks(
      [["p:1", "p:u"], ["p:u"]],
      stored({ mergedInto: new Map([["p:u", "p:1"]]), documents: new Set(["p:1"]) }),
      smallest,
    );
    expect(plan.survivorOfEvent).toEqual(["p:1", "p:1"]);
    expect(plan.mergedAway).toEqual(new Map([["p:1", []]]));
    expect(plan.pointerWrites.size).toBe(0);
  });

  it("gives the same plan whatever the order of the batch's events", () => {
    const links = stored({
      mergedInto: new Map([["p:u1", "p:2"]]),
      documents: new Set(["p:2", "p:u2"]),
    });
    const events = [["p:u1", "p:u2"], ["p:3"], ["p:3", "p:1"], ["p:u2"]];
    const plan = planLinks(events, links, smallest);
    const reversed = planLinks([...events].reverse(), links, smallest);
    expect(reversed.survivorOfEvent).toEqual([...plan.survivorOfEvent].reverse());
    expect(reversed.idsOf).toEqual(plan.idsOf);
    expect(reversed.mergedAway).toEqual(plan.mergedAway);
    expect(reversed.pointerWrites).toEqual(plan.pointerWrites);
    expect(plan.survivorOfEvent).toEqual(["p:2", "p:1", "p:1", "p:2"]);
  });

  it("throws on an event that names no id", () => {
    expect(() => planLinks([["p:1"], []], stored(), smallest)).toThrow("names no id");
  });
});
