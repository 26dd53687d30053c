import type { Db } from "mongodb";
import {
  conversation,
  envelope,
  messagesChange,
  pricing,
  statusObject,
  PHONE_NUMBER_ID,
} from "../tests/fixtures/meta-webhooks";
import type { Delivery } from "./delivery-mix";

/**
 * Deliveries Meta could send whose events no store holds as sent: keys a MongoDB-wire server reads as
 * operators or paths, arrays inside arrays, U+0000 (which PostgreSQL's jsonb under FerretDB refuses).
 * Each must be acknowledged, kept in the raw topic and projected: inbound_messages keeps the hostile
 * content only in `messageJson`, and U+0000 becomes U+FFFD.
 */
export const poisonKinds = [
  "key starting with $",
  "key with a dot",
  "nested arrays",
  "U+0000 in text.body",
  "U+0000 in biz_opaque_callback_data",
] as const;
export type PoisonKind = (typeof poisonKinds)[number];

export interface PoisonSent {
  kind: PoisonKind;
  wamid: string;
}

const inboundMessage = (kind: PoisonKind, id: string, from: string): Record<string, unknown> => {
  const base = { from, id, timestamp: "1750300000", type: "text" };
  switch (kind) {
    case "key starting with $":
      return { ...base, text: { body: "poison: $where" }, $where: "function () { return true; }" };
    case "key with a dot":
      return { ...base, text: { body: "poison: dotted key", "a.b": "c" } };
    case "nested arrays":
      return {
        ...base,
        text: { body: "poison: nested arrays" },
        matrix: [
          [1, 2],
          [3, [4, 5]],
        ],
      };
    default:
      return { ...base, text: { body: "before\u0000after" } };
  }
};

/** The next poison delivery (kinds in turn), with ids of its own; `sent` lists what each carried. */
export function poisonMix(runId: string): { next(): Delivery; sent: PoisonSent[] } {
  const sent: PoisonSent[] = [];
  let sequence = 0;
  const next = (): Delivery => {
    const kind = poisonKinds[sequence % poisonKinds.length]!;
    const wamid = `wamid.${runId}.poison${sequence}`;
    const waId = `1651${String(sequence++).padStart(7, "0")}`;
    sent.push({ kind, wamid });
    if (kind === "U+0000 in biz_opaque_callback_data") {
      const statuses = [{ wamid, status: "sent", timestamp: 1_750_300_000 }];
      const payload = envelope([
        messagesChange({
          statuses: [
            statusObject(wamid, "sent", 1_750_300_000, {
              conversation,
              pricing,
              biz_opaque_callback_data: "campaign\u0000spring",
            }),
          ],
        }),
      ]);
      return { kind: "statuses", payload, effects: { statuses, inbound: [], otherChanges: 0 } };
    }
    const payload = envelope([
      messagesChange({
        contacts: [{ profile: { name: "Poison Customer" }, wa_id: waId }],
        messages: [inboundMessage(kind, wamid, waId)],
      }),
    ]);
    const inbound = [{ wamid, conversationId: `${PHONE_NUMBER_ID}:${waId}` }];
    return { kind: "inbound", payload, effects: { statuses: [], inbound, otherChanges: 0 } };
  };
  return { next, sent };
}

const plainKey = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A key that is not a plain name, or an array directly inside an array, anywhere in a document. */
function hostileShape(value: unknown, where = ""): string | null {
  if (value === null || typeof value !== "object" || value instanceof Date) return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (Array.isArray(item)) return `an array inside an array at ${where}`;
      const found = hostileShape(item, `${where}[]`);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!plainKey.test(key)) return `key ${JSON.stringify(key)} at ${where || "top level"}`;
    const found = hostileShape(item, where ? `${where}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/** Checks the stored document of every poison event sent; returns what is wrong, per event. */
export async function verifyPoison(db: Db, sent: readonly PoisonSent[]): Promise<string[]> {
  const problems: string[] = [];
  const inboundIds = sent.filter((s) => s.kind !== "U+0000 in biz_opaque_callback_data").map((s) => s.wamid);
  const statusIds = sent.filter((s) => s.kind === "U+0000 in biz_opaque_callback_data").map((s) => s.wamid);
  const inbound = new Map(
    (
      await db
        .collection<{ _id: string } & Record<string, unknown>>("inbound_messages")
        .find({ _id: { $in: inboundIds } })
        .toArray()
    ).map((d) => [d._id, d]),
  );
  const statuses = new Map(
    (
      await db
        .collection<{
          _id: string;
          bizOpaqueCallbackData?: string;
          timeline: { bizOpaqueCallbackData?: string }[];
        }>("message_statuses")
        .find({ _id: { $in: statusIds } })
        .toArray()
    ).map((d) => [d._id, d]),
  );
  for (const { kind, wamid } of sent) {
    const problem = (text: string) => problems.push(`${kind} (${wamid}): ${text}`);
    if (kind === "U+0000 in biz_opaque_callback_data") {
      const document = statuses.get(wamid);
      if (!document) problem("no message_statuses document");
      else if (
        document.bizOpaqueCallbackData !== "campaign\uFFFDspring" ||
        document.timeline[0]?.bizOpaqueCallbackData !== "campaign\uFFFDspring"
      )
        problem(`bizOpaqueCallbackData is ${JSON.stringify(document.bizOpaqueCallbackData)}`);
      continue;
    }
    const document = inbound.get(wamid);
    if (!document) {
      problem("no inbound_messages document");
      continue;
    }
    const shape = hostileShape(document);
    if (shape) problem(`the document holds ${shape}`);
    const messageJson = document.messageJson as string | null;
    if (kind === "U+0000 in text.body") {
      const body = (document.text as { body?: string } | undefined)?.body;
      if (body !== "before\uFFFDafter") problem(`text.body is ${JSON.stringify(body)}`);
      if (messageJson !== null) problem("messageJson is set for plain content");
      continue;
    }
    const hostile = { "key starting with $": "$where", "key with a dot": "a.b", "nested arrays": "matrix" }[
      kind
    ];
    if (!messageJson?.includes(hostile)) problem(`messageJson does not hold ${hostile}`);
  }
  return problems;
}
