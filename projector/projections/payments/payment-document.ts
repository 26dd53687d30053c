import type { PaymentStatusEvent } from "../../../contracts/generated/types";
import { latestByTime, latestPart, withTimedEvent } from "../shared/event-history";

/** statuses[].payment.amount: `value` is the amount times `offset` (21000 with offset 100 is 210.00). */
export interface PaymentAmount {
  value: number | null;
  offset: number | null;
}

/** statuses[].payment.transaction as the latest status that carried one sent it. */
export interface PaymentTransaction {
  id: string | null;
  pgTransactionId: string | null;
  /** The payment gateway: billdesk, payu, razorpay, zaakpay, ... */
  type: string | null;
  /** success, failed, pending, or a later value. */
  status: string | null;
  /** upi, card, netbanking, wallet, or a later value. */
  methodType: string | null;
  /** Why the transaction failed, from transaction.error; null when it carried none. */
  error: { code: string | null; reason: string | null } | null;
}

/** One distinct payment status, at Meta's time, with the parts it carried (absent when it had none). */
export interface PaymentHistoryEntry {
  eventId: string;
  status: string;
  at: Date;
  wamid?: string;
  recipientId?: string;
  recipientUserId?: string;
  amount?: PaymentAmount;
  currency?: string;
  transaction?: PaymentTransaction;
}

/** Read model `payments`: one document per business number and payment reference id. Field names are a public contract. */
export interface PaymentDocument {
  /** `<phoneNumberId>:<referenceId>`. */
  _id: string;
  phoneNumberId: string;
  /** The business's order reference (payment.reference_id). */
  referenceId: string;
  wabaId: string;
  /** The order_details message the payment is for. */
  wamid: string | null;
  recipientId: string | null;
  recipientUserId: string | null;
  /** Every `<phoneNumberId>:<id>` of the customer the statuses named: `conversations` ids or pointers. */
  customerIds: string[];
  amount: PaymentAmount | null;
  currency: string | null;
  /** The latest status by time; of two of one second, captured over any other, pending under any other. */
  status: string;
  transaction: PaymentTransaction | null;
  /** Every distinct status event once, sorted by time, then event id. */
  history: PaymentHistoryEntry[];
  /** Time of the latest status event. */
  updatedAt: Date;
  projectionVersion: number;
}

export const paymentsProjectionVersion = 1;

/** Of two statuses of one second: pending comes first, captured last (Meta captures after pending). */
const statusRank = (entry: PaymentHistoryEntry): number =>
  entry.status === "pending" ? 0 : entry.status === "captured" ? 2 : 1;

const text = (value: unknown): string | null =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : null;

/** transaction.error's code and reason; the JSON as Meta sent it stays on the topic. */
function transactionErrorOf(json: string | null): PaymentTransaction["error"] {
  if (json === null) return null;
  let error: unknown;
  try {
    error = JSON.parse(json);
  } catch {
    return { code: null, reason: json };
  }
  if (typeof error !== "object" || error === null) return { code: null, reason: text(error) };
  const { code, reason } = error as Record<string, unknown>;
  return { code: text(code), reason: text(reason) };
}

function transactionOf(event: PaymentStatusEvent): PaymentTransaction | null {
  const transaction: PaymentTransaction = {
    id: event.transactionId,
    pgTransactionId: event.pgTransactionId,
    type: event.transactionType,
    status: event.transactionStatus,
    methodType: event.methodType,
    error: transactionErrorOf(event.transactionErrorJson),
  };
  return Object.values(transaction).some((value) => value !== null) ? transaction : null;
}

function entryOf(event: PaymentStatusEvent): PaymentHistoryEntry {
  const transaction = transactionOf(event);
  return {
    eventId: event.eventId,
    status: event.status,
    at: new Date(event.timestamp),
    ...(event.wamid !== null ? { wamid: event.wamid } : {}),
    ...(event.recipientId !== null ? { recipientId: event.recipientId } : {}),
    ...(event.recipientUserId !== null ? { recipientUserId: event.recipientUserId } : {}),
    ...(event.amountValue !== null || event.amountOffset !== null
      ? { amount: { value: event.amountValue, offset: event.amountOffset } }
      : {}),
    ...(event.currency !== null ? { currency: event.currency } : {}),
    ...(transaction ? { transaction } : {}),
  };
}

/**
 * The customer's conversation ids the statuses named (`<phoneNumberId>:<phone number or BSUID>`): each is
 * a `conversations` `_id` or a pointer to it, as a call's are.
 */
function customerIdsOf(phoneNumberId: string, history: readonly PaymentHistoryEntry[]): string[] {
  const ids = history.flatMap((entry) => [entry.recipientId, entry.recipientUserId]);
  return [...new Set(ids.filter((id): id is string => !!id))].map((id) => `${phoneNumberId}:${id}`).sort();
}

/** A payment's document id: reference ids are unique only within one business number. */
export const paymentIdOf = (event: Pick<PaymentStatusEvent, "phoneNumberId" | "referenceId">): string =>
  `${event.phoneNumberId}:${event.referenceId}`;

/**
 * Pure projection: the payment's document after one more status. Idempotent (a status already in the
 * history returns `current` itself) and order-independent: every field is a function of the history,
 * the distinct statuses sorted by Meta's time.
 */
export function evolvePayment(current: PaymentDocument | null, event: PaymentStatusEvent): PaymentDocument {
  const history = withTimedEvent(current?.history ?? [], entryOf(event));
  if (!history) return current!;
  const latest = latestByTime(history, statusRank)!;
  return {
    ...current,
    _id: paymentIdOf(event),
    phoneNumberId: event.phoneNumberId,
    wabaId: current?.wabaId ?? event.wabaId,
    referenceId: event.referenceId,
    wamid: latestPart(history, "wamid"),
    recipientId: latestPart(history, "recipientId"),
    recipientUserId: latestPart(history, "recipientUserId"),
    customerIds: customerIdsOf(event.phoneNumberId, history),
    amount: latestPart(history, "amount"),
    currency: latestPart(history, "currency"),
    status: latest.status,
    // The deciding status's transaction, else the latest any status carried.
    transaction: latest.transaction ?? latestPart(history, "transaction"),
    history,
    updatedAt: history[history.length - 1]!.at,
    projectionVersion: paymentsProjectionVersion,
  };
}
