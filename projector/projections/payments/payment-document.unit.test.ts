import type { PaymentStatusEvent } from "../../../contracts/generated/types";
import { CUSTOMER_WA_ID, PHONE_NUMBER_ID, WABA_ID } from "../../../tests/fixtures/meta-webhooks";
import { REFERENCE_ID, paymentStatus, transaction } from "../../../tests/fixtures/payment-events";
import { permutations } from "../../../tests/support/orders";
import { evolvePayment, type PaymentDocument } from "./payment-document";

const fold = (events: readonly PaymentStatusEvent[]): PaymentDocument =>
  events.reduce<PaymentDocument | null>((doc, event) => evolvePayment(doc, event), null)!;
const expectSameInEveryOrder = (events: PaymentStatusEvent[]): PaymentDocument => {
  const expected = fold(events);
  for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
  return expected;
};
const at = (seconds: number) => new Date(seconds * 1000);

describe("evolvePayment", () => {
  it("keeps the latest status by Meta's time and its transaction, every status once in history, in every order", () => {
    const events = [
      paymentStatus("pending", 100, transaction("pending")),
      paymentStatus("pending", 130, transaction("failed")),
      paymentStatus("captured", 160, transaction("success", "txn-2202")),
    ];
    const doc = expectSameInEveryOrder(events);

    expect(doc).toEqual({
      _id: `${PHONE_NUMBER_ID}:${REFERENCE_ID}`,
      phoneNumberId: PHONE_NUMBER_ID,
      referenceId: REFERENCE_ID,
      wabaId: WABA_ID,
      wamid: events[0]!.wamid,
      recipientId: CUSTOMER_WA_ID,
      recipientUserId: null,
      customerIds: [`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`],
      amount: { value: 21000, offset: 100 },
      currency: "INR",
      status: "captured",
      transaction: {
        id: "txn-2202",
        pgTransactionId: "pay_txn-2202",
        type: "razorpay",
        status: "success",
        methodType: "upi",
        error: null,
      },
      history: expect.any(Array),
      updatedAt: at(160),
      projectionVersion: 1,
    });
    expect(doc.history.map((entry) => [entry.status, entry.transaction?.status, entry.at])).toEqual([
      ["pending", "pending", at(100)],
      ["pending", "failed", at(130)],
      ["captured", "success", at(160)],
    ]);
  });

  it("keeps a failed transaction's code and reason while the payment is pending", () => {
    const doc = fold([
      paymentStatus("pending", 100, transaction("pending")),
      paymentStatus("pending", 130, transaction("failed")),
    ]);

    expect(doc.status).toBe("pending");
    expect(doc.transaction).toMatchObject({
      status: "failed",
      error: { code: "PAYMENT_DECLINED", reason: "Declined by the bank" },
    });
  });

  it("takes captured over pending of the same second, whatever their order and event ids", () => {
    const pending = paymentStatus("pending", 160, transaction("pending"));
    const captured = paymentStatus("captured", 160, transaction("success"));

    expect(expectSameInEveryOrder([pending, captured])).toMatchObject({
      status: "captured",
      transaction: { status: "success" },
    });
    // A later pending (by Meta's time) is the latest: the time decides, not the status.
    expect(expectSameInEveryOrder([captured, paymentStatus("pending", 161)]).status).toBe("pending");
  });

  it("takes the latest deciding status's transaction, else the latest any status carried", () => {
    const doc = expectSameInEveryOrder([
      paymentStatus("pending", 100, transaction("pending")),
      paymentStatus("captured", 160, { amountValue: null, amountOffset: null, currency: null }),
    ]);

    expect(doc).toMatchObject({
      status: "captured",
      transaction: { status: "pending" },
      amount: { value: 21000, offset: 100 },
      currency: "INR",
    });
  });

  it("keeps a transaction error that is not a JSON object as its reason", () => {
    const doc = fold([
      paymentStatus("pending", 100, { ...transaction("failed"), transactionErrorJson: "declined" }),
    ]);

    expect(doc.transaction?.error).toEqual({ code: null, reason: "declined" });
  });

  it("returns the document itself for a status it already holds", () => {
    const doc = fold([paymentStatus("pending", 100), paymentStatus("captured", 160)]);

    expect(evolvePayment(doc, paymentStatus("pending", 100))).toBe(doc);
  });
});
