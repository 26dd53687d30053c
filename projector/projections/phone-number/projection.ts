import type { AccountEvent } from "../../../contracts/generated/types";
import { readModel, type Projection } from "../../framework/projection";
import { isFieldOf, validateAccountEvent } from "../account/account-event";
import { evolvePhoneNumber, phoneNumberIdOf, type PhoneNumberDocument } from "./phone-number-document";

/**
 * whatsapp.account.event.v1 -> phone_numbers: one document per business phone number, from its quality
 * and name changes. The topic's account-level fields are the `account` projection's: skipped here.
 */
export const phoneNumberProjection: Projection<AccountEvent> = {
  name: "phone-number",
  topics: ["accountEvent"],
  canHandle: isFieldOf(["phone_number_quality_update", "phone_number_name_update"]),
  validate: (decoded) => {
    const event = validateAccountEvent(decoded);
    if (typeof event === "string") return event;
    return event.displayPhoneNumber ? event : "field displayPhoneNumber is missing or empty";
  },
  readModels: [
    readModel<AccountEvent, PhoneNumberDocument>({
      collection: "phone_numbers",
      indexes: [{ wabaId: 1 }],
      documentId: phoneNumberIdOf,
      evolve: evolvePhoneNumber,
    }),
  ],
};
