import type { AccountEvent } from "../../../contracts/generated/types";
import { readModel, type Projection } from "../../framework/projection";
import { isFieldOf, validateAccountEvent } from "./account-event";
import { evolveAccount, type AccountDocument } from "./account-document";

/**
 * whatsapp.account.event.v1 -> accounts: one document per WABA, from its account_update, account_alerts
 * and business_capability_update changes. The phone-number fields are the `phone-number` projection's.
 */
export const accountProjection: Projection<AccountEvent> = {
  name: "account",
  topics: ["accountEvent"],
  canHandle: isFieldOf(["account_update", "account_alerts", "business_capability_update"]),
  validate: validateAccountEvent,
  readModels: [
    readModel<AccountEvent, AccountDocument>({
      collection: "accounts",
      // "Which accounts are restricted now, until when": {"restriction.until": {$gt: now}}.
      indexes: [{ "restriction.until": 1 }],
      documentId: (event) => event.wabaId,
      evolve: evolveAccount,
    }),
  ],
};
