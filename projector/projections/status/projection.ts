import type { MessageStatusEvent } from "../../contracts/generated/types";
import { missingStringField } from "../runtime/event-validation";
import type { Projection } from "../runtime/projection";
import {
  applyStatusEvents,
  ensureStatusIndexes,
  messageStatuses,
  messageStatusesCollection,
} from "./status-store";

/** whatsapp.message.status.v1 -> message_statuses. */
export const statusProjection: Projection<MessageStatusEvent> = {
  serviceName: "whatsapp-status-projector",
  topic: "messageStatus",
  collections: { statuses: messageStatusesCollection },
  validate(decoded) {
    const missing = missingStringField(decoded, ["eventId", "wamid", "status", "phoneNumberId", "wabaId"]);
    if (missing) return missing;
    const event = decoded as MessageStatusEvent;
    if (!Number.isFinite(event.timestamp) || event.timestamp <= 0) return "timestamp is not a positive time";
    return event;
  },
  ensureIndexes: (db, collections) => ensureStatusIndexes(messageStatuses(db, collections.statuses)),
  apply: (db, collections, events) => applyStatusEvents(messageStatuses(db, collections.statuses), events),
};
