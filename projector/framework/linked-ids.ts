/** What a batch of events does to linked documents: where each event goes, and what merges into what. */
export interface LinkPlan {
  /** The survivor's id for each event, by the event's position in the batch. */
  survivorOfEvent: string[];
  /** Per survivor: every id of its entity known to this batch and the aliases read for it, sorted. */
  idsOf: Map<string, string[]>;
  /** Per survivor: the existing documents to merge into it and leave as `mergedInto` (empty when none). */
  mergedAway: Map<string, string[]>;
  /** Aliases to write, id -> survivor: ids that would otherwise name another document. */
  aliasWrites: Map<string, string>;
}

/** What the store holds for the ids of a batch. */
export interface StoredLinks {
  /** id -> document it lives in, from the alias collection. */
  aliasOf: ReadonlyMap<string, string>;
  /** Existing documents that were merged away, -> the document they were merged into. */
  mergedInto: ReadonlyMap<string, string>;
  /** Ids of existing documents (merged away or not). */
  documents: ReadonlySet<string>;
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
 * Links the ids each event names, the documents their aliases point to and where merged documents went,
 * and chooses one survivor per linked set. Pure: the store's answers come in `stored`.
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
  for (const [id, documentId] of stored.aliasOf) sets.link(id, documentId);
  for (const [from, into] of stored.mergedInto) sets.link(from, into);

  const survivorOfSet = new Map<string, string>();
  const idsOf = new Map<string, string[]>();
  const mergedAway = new Map<string, string[]>();
  const aliasWrites = new Map<string, string>();
  for (const [root, members] of sets.members()) {
    const ids = [...members].sort();
    const chosen = survivor(ids);
    survivorOfSet.set(root, chosen);
    idsOf.set(chosen, ids);
    mergedAway.set(
      chosen,
      ids.filter((id) => id !== chosen && stored.documents.has(id) && stored.mergedInto.get(id) !== chosen),
    );
    // An id with no alias names its own document: the survivor's id needs none.
    for (const id of ids) if ((stored.aliasOf.get(id) ?? id) !== chosen) aliasWrites.set(id, chosen);
  }
  return {
    survivorOfEvent: idsPerEvent.map((ids) => survivorOfSet.get(sets.find(ids[0]!))!),
    idsOf,
    mergedAway,
    aliasWrites,
  };
}
