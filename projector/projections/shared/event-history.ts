/** One distinct event in a read model's `history`: Meta's time, when the ingress received it, its id. */
export interface HistoryEntry {
  eventId: string;
  at: Date;
  receivedAt: Date;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * History order: Meta's time, then arrival (Meta's times have whole seconds, and two changes of one
 * second are told apart only by when they came), then event id, so every arrival order gives one list.
 */
export const historyOrder = (a: HistoryEntry, b: HistoryEntry): number =>
  a.at.getTime() - b.at.getTime() ||
  a.receivedAt.getTime() - b.receivedAt.getTime() ||
  byText(a.eventId, b.eventId);

/**
 * The history with one more event, sorted; undefined when it changes nothing. An event already there
 * keeps its earliest arrival (a redelivery that came first in some other order moves it), so the result
 * depends only on the set of events seen, never on their order.
 */
export function withEvent<E extends HistoryEntry>(history: readonly E[], entry: E): E[] | undefined {
  const known = history.findIndex((e) => e.eventId === entry.eventId);
  if (known === -1) return [...history, entry].sort(historyOrder);
  if (history[known]!.receivedAt.getTime() <= entry.receivedAt.getTime()) return undefined;
  const moved = { ...history[known]!, receivedAt: entry.receivedAt };
  return history.map((e, i) => (i === known ? moved : e)).sort(historyOrder);
}

/** One distinct event of a topic that carries no arrival time: Meta's time and its id. */
export interface TimedEntry {
  eventId: string;
  at: Date;
}

/** Time order for such events: Meta's time, then event id, so every arrival order gives one list. */
export const timeOrder = (a: TimedEntry, b: TimedEntry): number =>
  a.at.getTime() - b.at.getTime() || byText(a.eventId, b.eventId);

/** The history with one more event, in time order; undefined when the event is already there. */
export function withTimedEvent<E extends TimedEntry>(history: readonly E[], entry: E): E[] | undefined {
  if (history.some((e) => e.eventId === entry.eventId)) return undefined;
  return [...history, entry].sort(timeOrder);
}

/**
 * The latest of the entries (a history in time order) by Meta's time; of two of one time (Meta's times
 * have whole seconds), the one `rank` puts higher, then the later in the history. Null when none.
 */
export function latestByTime<E extends TimedEntry>(
  entries: readonly E[],
  rank: (entry: E) => number,
): E | null {
  let latest: E | null = null;
  for (const entry of entries)
    if (
      latest === null ||
      entry.at.getTime() > latest.at.getTime() ||
      (entry.at.getTime() === latest.at.getTime() && rank(entry) >= rank(latest))
    )
      latest = entry;
  return latest;
}

/** The latest value of an optional part in a history (in its order), or null when no entry carried it. */
export function latestPart<E, K extends keyof E>(history: readonly E[], key: K): NonNullable<E[K]> | null {
  const value = history.findLast((entry) => entry[key] !== undefined && entry[key] !== null)?.[key];
  return (value ?? null) as NonNullable<E[K]> | null;
}
