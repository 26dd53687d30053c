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
