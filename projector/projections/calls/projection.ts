import type { CallEvent } from "../../../contracts/generated/types";
import { requireEventFields } from "../../framework/event-validation";
import { readModel, type Projection } from "../../framework/projection";
import { evolveCall, type CallDocument } from "./call-document";

/** whatsapp.call.event.v1 -> calls: one document per call id (wacid). */
export const callsProjection: Projection<CallEvent> = {
  name: "calls",
  topics: ["callEvent"],
  validate: (decoded) =>
    requireEventFields<CallEvent>(decoded, ["eventId", "callId", "event", "phoneNumberId", "wabaId"]),
  readModels: [
    readModel<CallEvent, CallDocument>({
      collection: "calls",
      // A number's calls newest first; a customer's calls by any of their conversation ids.
      indexes: [{ phoneNumberId: 1, startedAt: -1 }, { customerIds: 1 }],
      documentId: (event) => event.callId,
      evolve: evolveCall,
    }),
  ],
};
