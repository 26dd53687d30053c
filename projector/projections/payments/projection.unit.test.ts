import { paymentStatus, transaction } from "../../../tests/fixtures/payment-events";
import { expectProjectionLaws } from "../../../tests/support/projection-laws";
import { paymentsProjection } from "./projection";

const otherOrder = "order-7522-sheena";

it("passes the projection laws: any order, any batching, duplicates and a replay give the same documents", async () => {
  const events = [
    paymentStatus("pending", 100, transaction("pending")),
    paymentStatus("pending", 130, transaction("failed", "txn-2201")),
    paymentStatus("captured", 160, transaction("success", "txn-2202")),
    paymentStatus("pending", 160, { referenceId: otherOrder, ...transaction("pending", "txn-3301") }),
    paymentStatus("captured", 160, { referenceId: otherOrder, ...transaction("success", "txn-3301") }),
  ];
  await expectProjectionLaws(paymentsProjection, events, {
    label: (e) => `${e.referenceId.slice(6, 10)}:${e.status}@${e.timestamp / 1000}`,
  });
});

it("validates the reference id, the status and Meta's time", () => {
  const event = paymentStatus("captured", 100);
  expect(paymentsProjection.validate(event, "paymentStatus")).toBe(event);
  expect(paymentsProjection.validate({ ...event, referenceId: "" }, "paymentStatus")).toBe(
    "field referenceId is missing or empty",
  );
  expect(paymentsProjection.validate({ ...event, status: null }, "paymentStatus")).toBe(
    "field status is missing or empty",
  );
});
