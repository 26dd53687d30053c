import type { GroupEvent, InboundMessageEvent } from "../../../contracts/generated/types";
import type { TopicId } from "../../../contracts/topics";
import { requireEventFields } from "../../framework/event-validation";
import { readModel, type Projection } from "../../framework/projection";
import {
  changedMessageIdOf,
  inboundMessageIdOf,
  requiredInboundFields,
} from "../conversation/inbound-message";
import { isGroupMessage } from "../shared/group-messages";
import { evolveGroup, type GroupDocument, type GroupsEvent } from "./group-document";
import { evolveGroupMessage, type GroupMessageDocument } from "./group-message";

function validateGroupsRecord(decoded: unknown, topic: TopicId): GroupsEvent | string {
  if (topic === "groupEvent") {
    const event = requireEventFields<GroupEvent>(decoded, [
      "eventId",
      "groupId",
      "phoneNumberId",
      "wabaId",
      "field",
      "type",
    ]);
    return typeof event === "string" ? event : { kind: "group", event };
  }
  const message = requireEventFields<InboundMessageEvent>(decoded, [...requiredInboundFields, "groupId"]);
  return typeof message === "string" ? message : { kind: "message", message };
}

/**
 * Groups API events (whatsapp.group.event.v1) and messages written in groups (whatsapp.message.inbound.v1
 * with a group id) -> group_messages (one per message, its edits and revoke folded in) and groups (one per
 * group: its settings, state, participants and history, and its messages' count and latest time).
 */
export const groupsProjection: Projection<GroupsEvent> = {
  name: "groups",
  topics: ["groupEvent", "inboundMessage"],
  canHandle: (decoded, topic) => topic === "groupEvent" || isGroupMessage(decoded),
  validate: validateGroupsRecord,
  readModels: [
    readModel<GroupsEvent, GroupMessageDocument>({
      collection: "group_messages",
      // A group's messages, latest first.
      indexes: [{ groupId: 1, timestamp: -1 }],
      documentId: (event) => (event.kind === "message" ? inboundMessageIdOf(event.message) : null),
      evolve: (current, event) =>
        event.kind === "message" ? evolveGroupMessage(current, event.message) : current,
      likelyFirst: (event) => event.kind === "message" && changedMessageIdOf(event.message) === null,
    }),
    readModel<GroupsEvent, GroupDocument>({
      collection: "groups",
      // A business number's groups.
      indexes: [{ phoneNumberId: 1 }],
      // An edit or a revoke changes no group: only the message it changes counts there.
      documentId: (event) =>
        event.kind === "group"
          ? event.event.groupId
          : changedMessageIdOf(event.message) === null
            ? event.message.groupId
            : null,
      evolve: evolveGroup,
      exactCount: { field: "messageCount", of: "group_messages", by: "groupId" },
    }),
  ],
};
