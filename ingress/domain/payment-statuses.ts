import type { PaymentStatusEvent } from "../../contracts/generated/types";
import { sha256Hex } from "./event-ids";
import { objectOrEmpty, text, type Json } from "./meta-json";
import { OptionalValues, type TypedChange } from "./typed-change";

/** A statuses[] item of a messages change that is a payment's status, not a message's (type payment). */
export const isPaymentStatus = (status: Json): boolean => status.type === "payment";

/**
 * A payment status (WhatsApp Payments through a payment gateway) as a PaymentStatusEvent, keyed by the
 * business number and the order's reference id (unique only within one business), so that one order's
 * statuses are read in order. Untypeable without the
 * reference id, status, timestamp or business phone number id.
 */
export function derivePaymentStatus(
  status: Json,
  value: Json,
  wabaId: string,
  rawEventId: string,
): TypedChange<PaymentStatusEvent> {
  const read = new OptionalValues();
  const metadata = objectOrEmpty(value.metadata);
  const payment = read.object(status, "payment") ?? {};
  const amount = read.object(payment, "amount") ?? {};
  const transaction = read.object(payment, "transaction") ?? {};
  const method = read.object(transaction, "method") ?? {};
  const transactionError = read.object(transaction, "error");
  const referenceId = read.text(payment, "reference_id");
  const state = read.text(status, "status");
  const timestamp = read.millis(status, "timestamp");
  const fields = {
    wamid: read.text(status, "id"),
    recipientId: read.text(status, "recipient_id"),
    recipientUserId: read.text(status, "recipient_user_id"),
    amountValue: read.integer(amount, "value"),
    amountOffset: read.integer(amount, "offset"),
    currency: read.text(payment, "currency"),
    transactionId: read.text(transaction, "id"),
    pgTransactionId: read.text(transaction, "pg_transaction_id"),
    transactionType: read.text(transaction, "type"),
    transactionStatus: read.text(transaction, "status"),
    methodType: read.text(method, "type"),
  };
  if (read.wrongType !== null) return { reason: "wrong_type", at: read.wrongType };
  if (referenceId === null) return { reason: "missing_id", at: "payment.reference_id" };
  if (state === null) return { reason: "missing_status" };
  if (timestamp === null) return { reason: "missing_timestamp" };
  const phoneNumberId = text(metadata.phone_number_id);
  if (!phoneNumberId) return { reason: "missing_phone_number_id" };
  return {
    event: {
      key: `${phoneNumberId}:${referenceId}`,
      value: {
        // Two attempts of one payment can share status and second: their transactions tell them apart.
        eventId: sha256Hex(
          "payment",
          referenceId,
          state,
          String(timestamp),
          fields.transactionId ?? "",
          fields.transactionStatus ?? "",
        ),
        rawEventId,
        referenceId,
        status: state,
        timestamp,
        phoneNumberId,
        displayPhoneNumber: text(metadata.display_phone_number),
        wabaId,
        ...fields,
        transactionErrorJson: transactionError ? JSON.stringify(transactionError) : null,
        statusJson: JSON.stringify(status),
      },
    },
  };
}
