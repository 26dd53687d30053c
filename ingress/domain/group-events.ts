import type { GroupEvent, GroupParticipant, GroupTextUpdate } from "../../contracts/generated/types";
import { sha256Hex } from "./event-ids";
import { isObject, type Json } from "./meta-json";
import { parseErrors } from "./message-content";
import {
  businessNumberOf,
  itemsOf,
  OptionalValues,
  type BusinessNumber,
  type FieldChange,
  type TypedChange,
} from "./typed-change";

/** The Groups API webhook fields typed into whatsapp.group.event.v1 (each change also stays a business event). */
export const groupFields = new Set([
  "group_lifecycle_update",
  "group_participants_update",
  "group_settings_update",
  "group_status_update",
]);

/**
 * Each value.groups[] item of a Groups API change as a GroupEvent, keyed by group id so that one
 * group's events are read in order. Untypeable without the group id or the item's type.
 */
export function deriveGroupEvents(change: FieldChange): TypedChange<GroupEvent>[] {
  const number = businessNumberOf(change);
  if ("reason" in number) return [number];
  const items = itemsOf(number.value, "groups");
  if (!Array.isArray(items)) return [items];
  return items.map((item, index) => groupEvent(item, `groups[${index}]`, change.field, number));
}

function groupEvent(
  item: unknown,
  at: string,
  field: string,
  number: BusinessNumber,
): TypedChange<GroupEvent> {
  if (!isObject(item)) return { reason: "not_an_object", at };
  const read = new OptionalValues();
  const groupId = read.text(item, "group_id");
  const type = read.text(item, "type");
  const timestamp = read.millis(item, "timestamp");
  const joinRequestId = read.text(item, "join_request_id");
  const picture = read.object(item, "profile_picture");
  const parts = {
    requestId: read.text(item, "request_id"),
    subject: read.text(item, "subject"),
    description: read.text(item, "description"),
    inviteLink: read.text(item, "invite_link"),
    joinApprovalMode: read.text(item, "join_approval_mode"),
    reason: read.text(item, "reason"),
    initiatedBy: read.text(item, "initiated_by"),
    addedParticipants: read.objects(item, "added_participants").map((entry) => participant(entry, read)),
    removedParticipants: read.objects(item, "removed_participants").map((entry) => participant(entry, read)),
    failedParticipants: read.objects(item, "failed_participants").map((entry) => ({
      input: read.text(entry, "input"),
      errors: parseErrors(entry.errors),
    })),
    joinRequestId,
    // A join request names its requester on the item itself.
    joinRequester:
      joinRequestId !== null || type?.startsWith("group_join_request") ? participant(item, read) : null,
    subjectUpdate: textUpdate(read.object(item, "group_subject"), read),
    descriptionUpdate: textUpdate(read.object(item, "group_description"), read),
    profilePictureUpdate: picture
      ? {
          mimeType: read.text(picture, "mime_type"),
          sha256: read.text(picture, "sha256"),
          updateSuccessful: read.flag(picture, "update_successful"),
          errors: parseErrors(picture.errors),
        }
      : null,
    errors: parseErrors(item.errors),
  };
  if (read.wrongType !== null) return { reason: "wrong_type", at: `${at}.${read.wrongType}` };
  if (groupId === null) return { reason: "missing_id", at };
  if (type === null) return { reason: "missing_event", at };
  const groupJson = JSON.stringify(item);
  return {
    event: {
      key: groupId,
      value: {
        eventId: sha256Hex(
          "group",
          groupId,
          field,
          type,
          timestamp === null ? "" : String(timestamp),
          groupJson,
        ),
        rawEventId: number.rawEventId,
        field,
        type,
        groupId,
        phoneNumberId: number.phoneNumberId,
        displayPhoneNumber: number.displayPhoneNumber,
        wabaId: number.wabaId,
        timestamp,
        ...parts,
        groupJson,
      },
    },
  };
}

function participant(entry: Json, read: OptionalValues): GroupParticipant {
  return {
    waId: read.text(entry, "wa_id"),
    userId: read.text(entry, "user_id"),
    parentUserId: read.text(entry, "parent_user_id"),
    username: read.text(entry, "username"),
    input: read.text(entry, "input"),
  };
}

function textUpdate(update: Json | null, read: OptionalValues): GroupTextUpdate | null {
  if (update === null) return null;
  return {
    text: read.text(update, "text"),
    updateSuccessful: read.flag(update, "update_successful"),
    errors: parseErrors(update.errors),
  };
}
