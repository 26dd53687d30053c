import {
  PAYMENT_REFERENCE_ID,
  payments,
  statusOfAnotherType,
} from "../../tests/fixtures/customer-channel-webhooks";
import { parsedBody } from "../../tests/fixtures/inbound-events";
import { PHONE_NUMBER_ID, WABA_ID, messagesChange, envelope } from "../../tests/fixtures/meta-webhooks";
import { sha256Hex } from "./event-ids";

describe("payment statuses", () => {
  it("types a captured payment, keyed by business number and reference id, and not as a message status", () => {
    const parsed = parsedBody(payments.captured);
    expect(parsed.statuses).toEqual([]);
    expect(parsed.untyped).toEqual([]);
    expect(parsed.businessEvents).toEqual([]);
    expect(parsed.raw.value).toMatchObject({ paymentStatusCount: 1, statusCount: 0 });
    const { key, value } = parsed.paymentStatuses[0]!;
    expect(key).toBe(`${PHONE_NUMBER_ID}:${PAYMENT_REFERENCE_ID}`);
    expect(value).toMatchObject({
      eventId: sha256Hex(
        "payment",
        PAYMENT_REFERENCE_ID,
        "captured",
        "1781440400000",
        "pay_Qk3bX9vT2mN7aL",
        "success",
      ),
      referenceId: PAYMENT_REFERENCE_ID,
      status: "captured",
      timestamp: 1781440400000,
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: WABA_ID,
      wamid: "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSQ0Y0QUQ4NjVBMTI2RkZCRkIxAA==",
      recipientId: "919876543210",
      recipientUserId: null,
      amountValue: 21000,
      amountOffset: 100,
      currency: "INR",
      transactionId: "pay_Qk3bX9vT2mN7aL",
      pgTransactionId: "order_Qk3bW1sR8cF4pE",
      transactionType: "razorpay",
      transactionStatus: "success",
      methodType: "upi",
      transactionErrorJson: null,
    });
  });

  it("keeps a failed transaction's error as JSON", () => {
    const { value } = parsedBody(payments.pendingAfterFailure).paymentStatuses[0]!;
    expect(value).toMatchObject({ status: "pending", transactionStatus: "failed", methodType: "card" });
    expect(JSON.parse(value.transactionErrorJson!)).toEqual({
      code: "BAD_REQUEST_ERROR",
      reason: "payment_failed",
    });
  });

  it("reports a status of another type as not_a_message_status, kept raw", () => {
    const parsed = parsedBody(statusOfAnotherType);
    expect(parsed.statuses).toEqual([]);
    expect(parsed.untyped).toEqual([
      {
        field: "statuses",
        reason: "not_a_message_status",
        detail: "entry[0].changes[0].value.statuses[0]",
      },
    ]);
    expect(parsed.businessEvents.map(({ value }) => value.field)).toEqual(["messages"]);
  });

  it("types a status of type message as a message status", () => {
    const parsed = parsedBody(
      envelope([
        messagesChange({
          statuses: [{ id: "wamid.typed", type: "message", status: "read", timestamp: "1781438400" }],
        }),
      ]),
    );
    expect(parsed.statuses.map(({ value }) => value.wamid)).toEqual(["wamid.typed"]);
  });

  it("reports a payment status without reference id or status", () => {
    const parsed = parsedBody(
      envelope([
        messagesChange({
          statuses: [
            { type: "payment", status: "captured", timestamp: "1781438400", payment: {} },
            { type: "payment", timestamp: "1781438400", payment: { reference_id: PAYMENT_REFERENCE_ID } },
          ],
        }),
      ]),
    );
    expect(parsed.untyped.map(({ reason, detail }) => [reason, detail])).toEqual([
      ["missing_id", "entry[0].changes[0].value.statuses[0].payment.reference_id"],
      ["missing_status", "entry[0].changes[0].value.statuses[1]"],
    ]);
    expect(parsed.businessEvents).toHaveLength(1);
  });

  it("tells two attempts of one payment in the same second apart by their transactions", () => {
    const attempt = (id: string, status: string) => {
      const body = structuredClone(payments.pendingAfterFailure) as {
        entry: { changes: { value: { statuses: { payment: { transaction: object } }[] } }[] }[];
      };
      const item = body.entry[0]!.changes[0]!.value.statuses[0]!;
      item.payment.transaction = { ...item.payment.transaction, id, status };
      return parsedBody(body).paymentStatuses[0]!.value.eventId;
    };
    expect(attempt("pay_1", "failed")).not.toBe(attempt("pay_2", "failed"));
    expect(attempt("pay_1", "failed")).toBe(attempt("pay_1", "failed"));
  });
});
