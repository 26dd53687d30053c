/** Orders of arrival for order-independence tests: every permutation, or seeded shuffles and batchings. */

/** Every order of `items`. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** `items` in a random order. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** `items` in their order, cut into batches at random. */
export function randomBatches<T>(items: readonly T[], random: () => number): T[][] {
  const batches: T[][] = [[]];
  for (const item of items) {
    if (batches[batches.length - 1]!.length > 0 && random() < 0.5) batches.push([]);
    batches[batches.length - 1]!.push(item);
  }
  return batches;
}

/** A fixed-seed generator (mulberry32): the same "random" orders on every run, so a failing one is found again. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
