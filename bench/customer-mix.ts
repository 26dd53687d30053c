import {
  bothIdentifiersTextMessage,
  bsuidOnlyTextMessage,
  editMessage,
  phoneOnlyTextMessage,
  revokeMessage,
  userChangedNumber,
} from "../tests/fixtures/identity-webhooks";
import { PHONE_NUMBER_ID } from "../tests/fixtures/meta-webhooks";
import { seeded } from "../tests/support/orders";
import type { CustomerEffects, Delivery } from "./delivery-mix";

export type CustomerScriptKind = "merge" | "numberChange" | "changesFirst";

export interface CustomerMixOptions {
  /** Part of every wamid, phone number and BSUID, so runs never share ids. */
  runId: string;
  seed?: number;
  /** Customers to play; the mix returns undefined once all are played. Unlimited by default. */
  customers?: number;
  /** Scripts in play at once: their deliveries interleave. */
  interleave?: number;
  /** Share of deliveries sent a second time, a few deliveries later. */
  resendShare?: number;
}

/** One customer's phone numbers and BSUIDs, unique to the run and the customer. */
export interface CustomerIds {
  phone: string;
  /** A number of the same customer that sorts before `phone`: where a number change moves them. */
  smallerPhone: string;
  bsuid: string;
  newBsuid: string;
}

/** Digits of the run id (a 32-bit FNV-1a hash), so phone numbers and BSUIDs stay digits as Meta's are. */
function runDigits(runId: string): string {
  let hash = 0x811c9dc5;
  for (const char of runId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return String(hash % 100_000).padStart(5, "0");
}

/**
 * Fifteen digits (E.164's longest), so none equals a number of deliveryMix (eleven); `1651...` for the
 * first number, `1650...` for the one a number change moves to.
 */
export function customerIds(runId: string, customer: number): CustomerIds {
  const unique = `${runDigits(runId)}${String(customer).padStart(6, "0")}`;
  return {
    phone: `1651${unique}`,
    smallerPhone: `1650${unique}`,
    bsuid: `US.1${unique}1`,
    newBsuid: `US.1${unique}2`,
  };
}

const idOf = (customerId: string) => `${PHONE_NUMBER_ID}:${customerId}`;

type Step = { payload: Record<string, unknown>; effects: Omit<CustomerEffects, "key"> };

const message = (payload: Record<string, unknown>, wamid: string, ids: string[]): Step => ({
  payload,
  effects: { ids: ids.map(idOf), messages: [wamid], edits: [], revokes: [] },
});

interface ScriptContext {
  ids: CustomerIds;
  /** The customer's first message time, in seconds. */
  time: number;
  nextWamid: () => string;
  random: () => number;
  profileName: string;
}

/** Known by phone number only, then by BSUID only, then by both: the two conversations must merge. */
function mergeScript({ ids, time, nextWamid, profileName }: ScriptContext): Step[] {
  const [byPhone, byBsuid, byBoth] = [nextWamid(), nextWamid(), nextWamid()];
  const { phone, bsuid } = ids;
  return [
    message(phoneOnlyTextMessage({ waId: phone, id: byPhone, timestamp: time, profileName }), byPhone, [
      phone,
    ]),
    message(
      bsuidOnlyTextMessage({ userId: bsuid, id: byBsuid, timestamp: time + 10, profileName }),
      byBsuid,
      [bsuid],
    ),
    message(
      bothIdentifiersTextMessage({
        waId: phone,
        userId: bsuid,
        id: byBoth,
        timestamp: time + 20,
        profileName,
      }),
      byBoth,
      [phone, bsuid],
    ),
  ];
}

/**
 * A number change to a number that sorts before the old one, so the conversation's id moves to it; half
 * the customers with BSUIDs (the notice then names the old and the new one), half by phone number only.
 */
function numberChangeScript({ ids, time, nextWamid, random, profileName }: ScriptContext): Step[] {
  const [before, notice, after] = [nextWamid(), nextWamid(), nextWamid()];
  const { phone: oldPhone, smallerPhone: newPhone, bsuid, newBsuid } = ids;
  if (random() < 0.5)
    return [
      message(phoneOnlyTextMessage({ waId: oldPhone, id: before, timestamp: time, profileName }), before, [
        oldPhone,
      ]),
      message(
        userChangedNumber({
          oldWaId: oldPhone,
          newWaId: newPhone,
          newUserId: null,
          id: notice,
          timestamp: time + 10,
          profileName,
        }),
        notice,
        [oldPhone, newPhone],
      ),
      message(phoneOnlyTextMessage({ waId: newPhone, id: after, timestamp: time + 20, profileName }), after, [
        newPhone,
      ]),
    ];
  return [
    message(
      bothIdentifiersTextMessage({ waId: oldPhone, userId: bsuid, id: before, timestamp: time, profileName }),
      before,
      [oldPhone, bsuid],
    ),
    message(
      userChangedNumber({
        oldWaId: oldPhone,
        newWaId: newPhone,
        userId: bsuid,
        newUserId: newBsuid,
        id: notice,
        timestamp: time + 10,
        profileName,
      }),
      notice,
      [oldPhone, newPhone, bsuid, newBsuid],
    ),
    message(
      bothIdentifiersTextMessage({
        waId: newPhone,
        userId: newBsuid,
        id: after,
        timestamp: time + 20,
        profileName,
      }),
      after,
      [newPhone, newBsuid],
    ),
  ];
}

/**
 * An edit (sent by BSUID only) and a revoke of two messages, each sent before its message; sometimes a
 * second edit after the message, whose text must then show.
 */
function changesFirstScript({ ids, time, nextWamid, random, profileName }: ScriptContext): Step[] {
  const [edited, revoked, edit, revoke] = [nextWamid(), nextWamid(), nextWamid(), nextWamid()];
  const { phone, bsuid } = ids;
  const sender = { from: phone, userId: bsuid, profileName };
  const editStep = (id: string, at: number, body: string, from: string | null): Step => ({
    payload: editMessage({ ...sender, from, id, timestamp: at, originalMessageId: edited, body }),
    effects: {
      ids: (from === null ? [bsuid] : [phone, bsuid]).map(idOf),
      messages: [],
      edits: [{ of: edited, id, at, body }],
      revokes: [],
    },
  });
  const steps: Step[] = [
    editStep(edit, time + 5, `edited ${edit}`, null),
    {
      payload: revokeMessage({ ...sender, id: revoke, timestamp: time + 15, originalMessageId: revoked }),
      effects: {
        ids: [phone, bsuid].map(idOf),
        messages: [],
        edits: [],
        revokes: [{ of: revoked, id: revoke, at: time + 15 }],
      },
    },
    message(
      bothIdentifiersTextMessage({ waId: phone, userId: bsuid, id: edited, timestamp: time, profileName }),
      edited,
      [phone, bsuid],
    ),
    message(
      bothIdentifiersTextMessage({
        waId: phone,
        userId: bsuid,
        id: revoked,
        timestamp: time + 10,
        profileName,
      }),
      revoked,
      [phone, bsuid],
    ),
  ];
  if (random() < 0.5) {
    const later = nextWamid();
    steps.push(editStep(later, time + 20, `edited ${later}`, phone));
  }
  return steps;
}

const scripts: Record<CustomerScriptKind, (context: ScriptContext) => Step[]> = {
  merge: mergeScript,
  numberChange: numberChangeScript,
  changesFirst: changesFirstScript,
};
const kinds = Object.keys(scripts) as CustomerScriptKind[];

/**
 * The hard cases of customer identity, for the fault runs: many small customer scripts (merge by phone,
 * BSUID and both; a number change to a smaller number; edits and revokes before their message), the
 * kinds in turn, several in play at once so their deliveries interleave, and some deliveries resent as
 * they are (same bytes) a few deliveries later. Every delivery carries one inbound event, and what the
 * audit needs in `effects.customer`; `effects.inbound` stays empty. Same `runId` and `seed`, same mix.
 */
export function customerMix(options: CustomerMixOptions): () => Delivery | undefined {
  const random = seeded(options.seed ?? 20261207);
  const interleave = options.interleave ?? 6;
  const resendShare = options.resendShare ?? 0.1;
  const limit = options.customers ?? Infinity;
  let wamids = 0;
  const nextWamid = () => `wamid.${options.runId}.customer.${(wamids++).toString(36)}`;
  const inPlay: Delivery[][] = [];
  /** Deliveries to send again, each once `countdown` more deliveries went out. */
  const resends: { delivery: Delivery; countdown: number }[] = [];
  let started = 0;

  const startScript = () => {
    const customer = started++;
    const kind = kinds[customer % kinds.length]!;
    const context: ScriptContext = {
      ids: customerIds(options.runId, customer),
      time: 1_760_000_000 + customer * 100,
      nextWamid,
      random,
      profileName: `Customer ${customer}`,
    };
    const key = `${options.runId}:${kind}-${customer}`;
    inPlay.push(
      scripts[kind](context).map(({ payload, effects }) => ({
        kind: "inbound",
        payload,
        effects: { statuses: [], inbound: [], otherChanges: 0, customer: { key, ...effects } },
      })),
    );
  };

  return () => {
    for (const resend of resends) resend.countdown--;
    const due = resends.findIndex((resend) => resend.countdown <= 0);
    if (due >= 0) return resends.splice(due, 1)[0]!.delivery;
    while (inPlay.length < interleave && started < limit) startScript();
    if (inPlay.length === 0) return resends.shift()?.delivery;
    const script = Math.floor(random() * inPlay.length);
    const delivery = inPlay[script]!.shift()!;
    if (inPlay[script]!.length === 0) inPlay.splice(script, 1);
    if (random() < resendShare)
      resends.push({ delivery: resentAs(delivery), countdown: 1 + Math.floor(random() * 6) });
    return delivery;
  };
}

/** The same payload object, so sign() gives the same bytes, marked as a resend for the audit. */
const resentAs = (delivery: Delivery): Delivery => ({
  ...delivery,
  effects: { ...delivery.effects, customer: { ...delivery.effects.customer!, resent: true } },
});
