import type { PaymentStatusEvent } from "../../../contracts/generated/types";
import { requireEventFields } from "../../framework/event-validation";
import { readModel, type Projection } from "../../framework/projection";
import { evolvePayment, paymentIdOf, type PaymentDocument } from "./payment-document";

/** whatsapp.payment.status.v1 -> payments: one document per business number and payment reference id. */
export const paymentsProjection: Projection<PaymentStatusEvent> = {
  name: "payments",
  topics: ["paymentStatus"],
  validate: (decoded) =>
    requireEventFields<PaymentStatusEvent>(decoded, [
      "eventId",
      "referenceId",
      "status",
      "phoneNumberId",
      "wabaId",
    ]),
  readModels: [
    readModel<PaymentStatusEvent, PaymentDocument>({
      collection: "payments",
      // A number's payments, latest change first.
      indexes: [{ phoneNumberId: 1, updatedAt: -1 }, { customerIds: 1 }],
      documentId: paymentIdOf,
      evolve: evolvePayment,
    }),
  ],
};
