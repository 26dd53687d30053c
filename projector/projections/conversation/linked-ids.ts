/** What a batch of events does to linked documents: where each event goes, and what merges into what. */
export interface LinkPlan {
  /** The survivor's id for each event, by the event's position in the batch. */
  survivorOfEvent: string[];
  /** Per survivor: every id of its entity known to this batch and the pointers read for it, sorted. */
  idsOf: Map<string, string[]>;
  /** Per survivor: the live documents to merge into it and leave as pointers (empty when none). */
  mergedAway: Map<string, string[]>;
  /**
   * Pointers to write, id -> survivor: ids with no document of their own, or whose pointer leads
   * elsewhere. A live document merged away becomes a pointer after the survivor is written instead.
   */
  pointerWrites: Map<string, string>;
}

/** What the store holds for the ids of a batch. */
export interface StoredLinks {
  /** Pointers (`{_id, mergedInto}`) -> the document they lead to. */
  mergedInto: ReadonlyMap<string, string>;
  /** Ids that have a document, live or pointer. */
  documents: ReadonlySet<string>;
  /** The ids a live document is known under (its other ids point at it): they join its set. */
  linkedIds?: ReadonlyMap<string, readonly string[]>;
}

/** Union-find over ids. */
class IdSets {
  private readonly parent = new Map<string, string>();

  find(id: string): string {
    let root = id;
    for (let up = this.parent.get(root); up !== undefined && up !== root; up = this.parent.get(root))
      root = up;
    if (!this.parent.has(id)) this.parent.set(id, id);
    for (let node = id; node !== root;) {
      const up = this.parent.get(node)!;
      this.parent.set(node, root);
      node = up;
    }
    return root;
  }

  link(a: string, b: string): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA !== rootB) this.parent.set(rootA < rootB ? rootB : rootA, rootA < rootB ? rootA : rootB);
  }

  members(): Map<string, string[]> {
    const sets = new Map<string, string[]>();
    for (const id of this.parent.keys()) {
      const root = this.find(id);
      const members = sets.get(root);
      if (members) members.push(id);
      else sets.set(root, [id]);
    }
    return sets;
  }
}

/**
 * Links the ids each event names with where their pointers lead, and chooses one survivor per linked
 * set. Pure: the store's answers come in `stored`.
 */
export function planLinks(
  idsPerEvent: readonly (readonly string[])[],
  stored: StoredLinks,
  survivor: (ids: readonly string[]) => string,
): LinkPlan {
  const sets = new IdSets();
  for (const ids of idsPerEvent) {
    if (ids.length === 0) throw new Error("an event of a linked read model names no id");
    for (const id of ids) sets.link(ids[0]!, id);
  }
  for (const [from, into] of stored.mergedInto) sets.link(from, into);
  for (const [id, others] of stored.linkedIds ?? []) for (const other of others) sets.link(id, other);

  const isLive = (id: string) => stored.documents.has(id) && !stored.mergedInto.has(id);
  const survivorOfSet = new Map<string, string>();
  const idsOf = new Map<string, string[]>();
  const mergedAway = new Map<string, string[]>();
  const pointerWrites = new Map<string, string>();
  for (const [root, members] of sets.members()) {
    const ids = [...members].sort();
    const chosen = survivor(ids);
    survivorOfSet.set(root, chosen);
    idsOf.set(chosen, ids);
    const others = ids.filter((id) => id !== chosen);
    mergedAway.set(chosen, others.filter(isLive));
    for (const id of others)
      if (!isLive(id) && stored.mergedInto.get(id) !== chosen) pointerWrites.set(id, chosen);
  }
  return {
    survivorOfEvent: idsPerEvent.map((ids) => survivorOfSet.get(sets.find(ids[0]!))!),
    idsOf,
    mergedAway,
    pointerWrites,
  };
}
