import type { CustomerEffects, ExpectedEffects } from "./delivery-mix";

/** The fields of an `inbound_messages` document the customer audit reads. */
export interface StoredMessage {
  _id: string;
  conversationId: string | null;
  type: string | null;
  text?: { body?: string };
  edits?: { id: string }[];
  revokedAt?: Date;
  revokeId?: string;
}

/** The fields of a `conversations` document, a live conversation or a pointer, the customer audit reads. */
export interface StoredConversation {
  _id: string;
  mergedInto?: string;
  messageCount?: number;
}

export interface CustomerReadModels {
  /** By wamid. */
  messages: ReadonlyMap<string, StoredMessage>;
  /** By `_id`. */
  conversations: ReadonlyMap<string, StoredConversation>;
}

export interface CustomerFindings {
  /** Customers with an acknowledged delivery. */
  customers: number;
  /** Customers known under two or more linked ids who ended in one live conversation every id leads to. */
  merged: number;
  /** Customers not in one conversation: messages in several, several live, an id leading elsewhere. */
  failedMerges: number;
  /** Acknowledged messages, edits and revokes not shown; stored messages their conversation omits. */
  lost: number;
  /** Messages a conversation counts beyond those acknowledged, edits shown more than once. */
  duplicated: number;
  details: string[];
}

/** Ids linked by acknowledged deliveries, with their messages: one customer as the read models must show. */
interface LinkedCustomer {
  key: string;
  ids: Set<string>;
  messages: Set<string>;
}

/**
 * A script's customer, split where no acknowledged delivery linked their ids (a script cut short, or a
 * linking delivery lost): only ids some delivery named together must end in one conversation.
 */
function linkedCustomers(effects: readonly CustomerEffects[]): LinkedCustomer[] {
  const parent = new Map<string, string>();
  const root = (id: string): string => {
    let top = id;
    while (parent.get(top) !== top) top = parent.get(top)!;
    parent.set(id, top);
    return top;
  };
  const scoped = (key: string, id: string) => `${key}\u0000${id}`;
  for (const { key, ids } of effects) {
    for (const id of ids) if (!parent.has(scoped(key, id))) parent.set(scoped(key, id), scoped(key, id));
    for (const id of ids.slice(1)) parent.set(root(scoped(key, id)), root(scoped(key, ids[0]!)));
  }
  const customers = new Map<string, LinkedCustomer>();
  for (const { key, ids, messages } of effects) {
    if (ids.length === 0) continue;
    const top = root(scoped(key, ids[0]!));
    const customer = customers.get(top) ?? { key, ids: new Set(), messages: new Set() };
    for (const id of ids) customer.ids.add(id);
    for (const wamid of messages) customer.messages.add(wamid);
    customers.set(top, customer);
  }
  return [...customers.values()];
}

const isPointer = (conversation: StoredConversation | undefined): boolean =>
  typeof conversation?.mergedInto === "string";
const isStored = (message: StoredMessage | undefined): message is StoredMessage =>
  message !== undefined && message.type !== null && message.conversationId !== null;

/** Why the customer is not in one live conversation every id leads to; empty when they are. */
function mergeProblems(customer: LinkedCustomer, read: CustomerReadModels): string[] {
  const problems: string[] = [];
  const homes = new Set(
    [...customer.messages]
      .map((wamid) => read.messages.get(wamid))
      .flatMap((m) => (isStored(m) ? [m.conversationId!] : [])),
  );
  const live = [...customer.ids].filter((id) => {
    const conversation = read.conversations.get(id);
    return conversation !== undefined && !isPointer(conversation);
  });
  if (homes.size > 1)
    problems.push(`messages in ${homes.size} conversations (${[...homes].sort().join(", ")})`);
  if (live.length > 1) problems.push(`${live.length} live conversations (${live.sort().join(", ")})`);
  const home = homes.size === 1 ? [...homes][0]! : homes.size === 0 && live.length === 1 ? live[0]! : null;
  if (home === null) {
    // A customer of one id with nothing stored is a loss, which the message checks count.
    if (live.length === 0 && customer.ids.size > 1)
      problems.push("no live conversation under any of its ids");
    return problems;
  }
  const conversation = read.conversations.get(home);
  if (!customer.ids.has(home)) problems.push(`messages in ${home}, none of the customer's ids`);
  if (!conversation) problems.push(`messages in ${home}, which does not exist`);
  else if (isPointer(conversation))
    problems.push(`messages in ${home}, a pointer to ${conversation.mergedInto}`);
  for (const id of [...customer.ids].sort()) {
    const other = read.conversations.get(id);
    if (id === home || (other && !isPointer(other))) continue;
    if (!other) problems.push(`${id} leads nowhere`);
    else if (other.mergedInto !== home) problems.push(`${id} points to ${other.mergedInto}, not ${home}`);
  }
  return problems;
}

/** Each acknowledged message stored, each conversation counting exactly the acknowledged ones it holds. */
function messageFindings(customers: readonly LinkedCustomer[], read: CustomerReadModels) {
  let lost = 0;
  let duplicated = 0;
  const details: string[] = [];
  const held = new Map<string, number>();
  for (const customer of customers) {
    const missing = [...customer.messages].filter((wamid) => !isStored(read.messages.get(wamid)));
    lost += missing.length;
    if (missing.length)
      details.push(
        `customer ${customer.key}: ${missing.length} acknowledged messages not stored (${missing.join(", ")})`,
      );
    for (const wamid of customer.messages) {
      const message = read.messages.get(wamid);
      if (isStored(message)) held.set(message.conversationId!, (held.get(message.conversationId!) ?? 0) + 1);
    }
  }
  for (const [conversationId, expected] of held) {
    const conversation = read.conversations.get(conversationId);
    const count = conversation && !isPointer(conversation) ? (conversation.messageCount ?? 0) : 0;
    if (count > expected) duplicated += count - expected;
    if (count < expected) lost += expected - count;
    if (count !== expected)
      details.push(
        `conversation ${conversationId} counts ${count} messages, it holds ${expected} acknowledged ones`,
      );
  }
  return { lost, duplicated, details };
}

/** Later by time, then wamid: the order the projection shows edits and revokes in. */
const isLater = (a: { at: number; id: string }, b: { at: number; id: string }) =>
  a.at > b.at || (a.at === b.at && a.id > b.id);

/**
 * Each acknowledged edit once in its message's `edits`, the latest edit's text shown, and a revoked
 * message shown withdrawn by its earliest revoke with no content, as docs/read-models.md states.
 */
function changeFindings(effects: readonly CustomerEffects[], read: CustomerReadModels) {
  let lost = 0;
  let duplicated = 0;
  const details: string[] = [];
  const changes = new Map<
    string,
    {
      edits: Map<string, CustomerEffects["edits"][number]>;
      revokes: Map<string, CustomerEffects["revokes"][number]>;
    }
  >();
  const changesOf = (wamid: string) => {
    const known = changes.get(wamid) ?? { edits: new Map(), revokes: new Map() };
    changes.set(wamid, known);
    return known;
  };
  for (const effect of effects) {
    for (const edit of effect.edits) changesOf(edit.of).edits.set(edit.id, edit);
    for (const revoke of effect.revokes) changesOf(revoke.of).revokes.set(revoke.id, revoke);
  }
  for (const [wamid, { edits, revokes }] of changes) {
    const message = read.messages.get(wamid);
    if (!message) {
      lost += edits.size + revokes.size;
      details.push(`message ${wamid}: none of its ${edits.size + revokes.size} acknowledged changes stored`);
      continue;
    }
    for (const edit of edits.values()) {
      const times = (message.edits ?? []).filter((entry) => entry.id === edit.id).length;
      if (times === 0) lost++;
      if (times > 1) duplicated += times - 1;
      if (times !== 1) details.push(`message ${wamid}: edit ${edit.id} shown ${times} times`);
    }
    const revoke = [...revokes.values()].reduce<CustomerEffects["revokes"][number] | null>(
      (earliest, r) => (earliest === null || isLater(earliest, r) ? r : earliest),
      null,
    );
    const latestEdit = [...edits.values()].reduce<CustomerEffects["edits"][number] | null>(
      (latest, e) => (latest === null || isLater(e, latest) ? e : latest),
      null,
    );
    if (revoke) {
      if (!message.revokedAt || message.revokeId !== revoke.id || message.text !== undefined) {
        lost++;
        details.push(
          `message ${wamid}: not shown withdrawn by ${revoke.id} (revokeId ${message.revokeId ?? "none"}, text ${message.text === undefined ? "gone" : "kept"})`,
        );
      }
    } else if (latestEdit && message.type !== null && message.text?.body !== latestEdit.body) {
      lost++;
      details.push(`message ${wamid}: shows "${message.text?.body}", not its latest edit ${latestEdit.id}`);
    }
  }
  return { lost, duplicated, details };
}

/**
 * The customer effects of the acknowledged deliveries against the documents read: an oracle that never
 * asks which id a merge keeps, only that one customer ends in one live conversation, every other id of
 * theirs a pointer to it, counting each of their messages once, and their edits and revokes shown.
 */
export function customerFindings(
  effects: readonly CustomerEffects[],
  read: CustomerReadModels,
): CustomerFindings {
  const customers = linkedCustomers(effects);
  let merged = 0;
  let failedMerges = 0;
  const details: string[] = [];
  for (const customer of customers) {
    const problems = mergeProblems(customer, read);
    if (problems.length > 0) {
      failedMerges++;
      details.push(`customer ${customer.key}: failed merge: ${problems.join("; ")}`);
    } else if (customer.ids.size > 1) merged++;
  }
  const messages = messageFindings(customers, read);
  const changes = changeFindings(effects, read);
  return {
    customers: new Set(effects.map((effect) => effect.key)).size,
    merged,
    failedMerges,
    lost: messages.lost + changes.lost,
    duplicated: messages.duplicated + changes.duplicated,
    details: [...details, ...messages.details, ...changes.details],
  };
}

/** What the customer audit reads: every message acknowledged or changed, and every id the customers used. */
export function customerReads(effects: readonly CustomerEffects[]): {
  wamids: string[];
  customerIds: string[];
} {
  const wamids = new Set<string>();
  const customerIds = new Set<string>();
  for (const effect of effects) {
    for (const wamid of effect.messages) wamids.add(wamid);
    for (const change of [...effect.edits, ...effect.revokes]) wamids.add(change.of);
    for (const id of effect.ids) customerIds.add(id);
  }
  return { wamids: [...wamids], customerIds: [...customerIds] };
}

/**
 * Deliveries resent on purpose and acknowledged, whose first sending was acknowledged too (the same
 * signature: an HMAC of the same bytes).
 */
export function resentTwice(
  tracked: readonly { delivery: { signature: string; effects: ExpectedEffects }; acknowledged: boolean }[],
): number {
  const firsts = new Set(
    tracked
      .filter((t) => t.acknowledged && !t.delivery.effects.customer?.resent)
      .map((t) => t.delivery.signature),
  );
  return tracked.filter(
    (t) => t.acknowledged && t.delivery.effects.customer?.resent && firsts.has(t.delivery.signature),
  ).length;
}
