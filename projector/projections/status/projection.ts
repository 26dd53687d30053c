import type { MessageStatusEvent } from "../../../contracts/generated/types";
import { requireEventFields } from "../../framework/event-validation";
import { readModel, type Projection } from "../../framework/projection";
import { evolveMessageStatus, type MessageStatusDocument } from "./status-timeline";

/** whatsapp.message.status.v1 -> message_statuses: one document per outbound message. */
export const statusProjection: Projection<MessageStatusEvent> = {
  name: "status",
  topics: ["messageStatus"],
  validate: (decoded) =>
    requireEventFields<MessageStatusEvent>(decoded, [
      "eventId",
      "wamid",
      "status",
      "phoneNumberId",
      "wabaId",
    ]),
  readModels: [
    readModel<MessageStatusEvent, MessageStatusDocument>({
      collection: "message_statuses",
      // No index on recipientUserId: every index is paid by every status write, the hot path.
      indexes: [{ phoneNumberId: 1, updatedAt: -1 }, { status: 1, updatedAt: -1 }, { recipientId: 1 }],
      documentId: (event) => event.wamid,
      evolve: evolveMessageStatus,
      // A message's sent status is normally its first: its document is written without a read before.
      likelyFirst: (event) => event.status === "sent",
    }),
  ],
};
