import { signBody } from "../ingress/domain/signature";
import {
  conversation,
  envelope,
  inboundMessageBodies,
  messagesChange,
  otherFieldChanges,
  pricing,
  statusObject,
  PHONE_NUMBER_ID,
} from "../tests/fixtures/meta-webhooks";
import { seeded } from "../tests/support/orders";
import { statusLifecycle, type StatusEffect } from "./status-lifecycle";

/** What a delivery must leave in the read models once it is acknowledged. */
export interface ExpectedEffects {
  /** The statuses this delivery carries. */
  statuses: StatusEffect[];
  /** Inbound messages: wamid and conversation id (`<phone_number_id>:<wa_id>`). */
  inbound: { wamid: string; conversationId: string }[];
  otherChanges: number;
  /** A step of a customer's script (customer-mix.ts): audited per customer, whatever their conversation id. */
  customer?: CustomerEffects;
}

/** What a delivery of a customer's script carries, in the customer's terms, not a conversation id's. */
export interface CustomerEffects {
  /** The script's customer: the same for every delivery of it, whatever ids they wrote under. */
  key: string;
  /** Customer ids the delivery names (`<phone_number_id>:<phone number or BSUID>`): one customer's. */
  ids: string[];
  /** Messages it carries (edits and revokes are no messages). */
  messages: string[];
  /** Edits it carries: the message edited, the edit's wamid, its time in seconds and its new text. */
  edits: { of: string; id: string; at: number; body: string }[];
  /** Revokes it carries: the message withdrawn, the revoke's wamid and its time in seconds. */
  revokes: { of: string; id: string; at: number }[];
  /** Sent a second time on purpose: the same payload (so the same signed bytes) as an earlier delivery. */
  resent?: boolean;
}

export interface Delivery {
  kind: "statuses" | "inbound" | "other";
  payload: Record<string, unknown>;
  effects: ExpectedEffects;
}

export interface SignedDelivery extends Delivery {
  body: Buffer;
  signature: string;
}

/** Small deterministic PRNG (mulberry32), so every run of a benchmark sends the same mix. */
export const seededRandom = seeded;

const inboundBodies = Object.values(inboundMessageBodies);

/**
 * A number-change notice names a new number of this customer's own (1651... for 1650...), which sorts
 * after the old one: the conversation keeps the old number's id, as the effects audit expects.
 */
export function ownNumberChange(body: Record<string, unknown>, waId: string): Record<string, unknown> {
  const system = body.system as Record<string, unknown> | undefined;
  if (body.type !== "system" || !system) return body;
  const newWaId = `1651${waId.slice(4)}`;
  return { ...body, system: { ...system, wa_id: newWaId, body: `User changed from ${waId} to ${newWaId}` } };
}

export interface MixOptions {
  seed?: number;
  /** Multiplies the number of events in every delivery (1, 2, 4: the size-scaling runs). */
  sizeFactor?: number;
  /** Prefix of every generated wamid and customer id, so runs never share ids. */
  runId: string;
  /** Largest status batch (Meta batches up to about 100 statuses per delivery). */
  largestStatusBatch?: number;
}

/**
 * Realistic traffic of one business number: about 70% status deliveries (mostly one status, some
 * batches of 10, a few of 100), 25% inbound-message deliveries (every documented type in turn), 5%
 * other subscribed fields. Statuses follow each outbound message through sent, delivered and read
 * (see statusLifecycle). Every id is unique to the run.
 */
export function deliveryMix(options: MixOptions): () => Delivery {
  const random = seededRandom(options.seed ?? 20261124);
  const factor = options.sizeFactor ?? 1;
  const largest = options.largestStatusBatch ?? 100;
  let sequence = 0;
  const nextId = () => `wamid.${options.runId}.${(sequence++).toString(36)}`;
  const baseTime = 1_750_000_000;
  const nextStatus = statusLifecycle({ random, nextId, clock: () => baseTime + sequence++ });

  return () => {
    const roll = random();
    if (roll < 0.7) {
      const sizeRoll = random();
      const size = (sizeRoll < 0.75 ? 1 : sizeRoll < 0.95 ? 10 : largest) * factor;
      const statuses = Array.from({ length: size }, nextStatus);
      const payload = statusPayload(statuses);
      return { kind: "statuses", payload, effects: { statuses, inbound: [], otherChanges: 0 } };
    }
    if (roll < 0.95) {
      const size = (random() < 0.9 ? 1 : 3) * factor;
      const waId = `1650${Math.floor(random() * 1e7)
        .toString()
        .padStart(7, "0")}`;
      const messages = Array.from({ length: size }, () => ({
        ...ownNumberChange(inboundBodies[Math.floor(random() * inboundBodies.length)]!, waId),
        from: waId,
        id: nextId(),
        timestamp: String(baseTime + sequence),
      }));
      const payload = envelope([
        messagesChange({ contacts: [{ profile: { name: "Load Test Customer" }, wa_id: waId }], messages }),
      ]);
      const inbound = messages.map((m) => ({ wamid: m.id, conversationId: `${PHONE_NUMBER_ID}:${waId}` }));
      return { kind: "inbound", payload, effects: { statuses: [], inbound, otherChanges: 0 } };
    }
    const changes = Array.from(
      { length: factor },
      () => otherFieldChanges[Math.floor(random() * otherFieldChanges.length)]!,
    );
    return {
      kind: "other",
      payload: envelope(changes),
      effects: { statuses: [], inbound: [], otherChanges: changes.length },
    };
  };
}

/** A status delivery as Meta sends it: sent statuses carry conversation and pricing. */
export function statusPayload(statuses: readonly StatusEffect[]) {
  return envelope([
    messagesChange({
      statuses: statuses.map(({ wamid, status, timestamp }) =>
        statusObject(wamid, status, timestamp, status === "read" ? {} : { conversation, pricing }),
      ),
    }),
  ]);
}

export function sign(delivery: Delivery, appSecret: string): SignedDelivery {
  const body = Buffer.from(JSON.stringify(delivery.payload));
  return { ...delivery, body, signature: signBody(body, appSecret) };
}

/** Total events a delivery carries (what the ingress turns into derived records). */
export const eventCount = (effects: ExpectedEffects): number =>
  effects.statuses.length + effects.inbound.length + effects.otherChanges;
