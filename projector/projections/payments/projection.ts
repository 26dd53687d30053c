import type { PaymentStatusEvent } from "../../../contracts/generated/types";
import { requireEventFields } from "../../framework/event-validation";
import { readModel, type Projection } from "../../framework/projection";
import { evolvePayment, type PaymentDocument } from "./payment-document";

/** whatsapp.payment.status.v1 -> payments: one document per payment reference id. */
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
      indexes: [{ phoneNumberId: 1, updatedAt: -1 }],
      documentId: (event) => event.referenceId,
      evolve: evolvePayment,
    }),
  ],
};
