import type {
  FailedGroupParticipant,
  GroupEvent,
  GroupParticipant,
  InboundMessageEvent,
  WhatsAppError,
} from "../../../contracts/generated/types";
import { withTimedEvent } from "../shared/event-history";

export const groupsProjectionVersion = 1;

/** What the groups projection applies: a Groups API event, or a message written in a group. */
export type GroupsEvent =
  { kind: "group"; event: GroupEvent } | { kind: "message"; message: InboundMessageEvent };

/** The parts of a group event a history entry keeps: all but its envelope (ids, raw JSON). */
type GroupChangeParts = Omit<
  GroupEvent,
  | "eventId"
  | "rawEventId"
  | "groupId"
  | "phoneNumberId"
  | "displayPhoneNumber"
  | "wabaId"
  | "timestamp"
  | "groupJson"
>;
const envelopeFields = new Set([
  "eventId",
  "rawEventId",
  "groupId",
  "phoneNumberId",
  "displayPhoneNumber",
  "wabaId",
  "timestamp",
  "groupJson",
]);

/** One distinct group event: Meta's time and the parts it carried as on the topic (none null or empty). */
export type GroupHistoryEntry = { eventId: string; at: Date } & Pick<GroupChangeParts, "field" | "type"> &
  Partial<GroupChangeParts>;

export type GroupState = "active" | "deleted" | "suspended";

/** A participant as Meta reported them, since the add that made them one. */
export interface GroupMember {
  waId: string | null;
  userId: string | null;
  username: string | null;
  since: Date;
}

export interface PendingJoinRequest {
  joinRequestId: string | null;
  waId: string | null;
  userId: string | null;
  username: string | null;
  since: Date;
}

/** The latest attempt to change the subject or the description. */
export interface GroupTextChange {
  text: string | null;
  succeeded: boolean;
  errors: WhatsAppError[];
  at: Date;
}

/** The latest attempt to change the profile picture. */
export interface GroupPictureChange {
  mimeType: string | null;
  sha256: string | null;
  succeeded: boolean;
  errors: WhatsAppError[];
  at: Date;
}

/** An operation Meta reported as failed in whole or in part. */
export interface GroupFailure {
  eventId: string;
  type: string;
  at: Date;
  errors: WhatsAppError[];
  failedParticipants: FailedGroupParticipant[];
}

/** What the group's history says: every field a function of the history, folded in time order. */
interface GroupFacts {
  subject: string | null;
  description: string | null;
  inviteLink: string | null;
  joinApprovalMode: string | null;
  state: GroupState;
  participants: GroupMember[];
  pendingJoinRequests: PendingJoinRequest[];
  settingsChanges: {
    subject: GroupTextChange | null;
    description: GroupTextChange | null;
    profilePicture: GroupPictureChange | null;
  };
  failedOperations: GroupFailure[];
}

/** Read model `groups`: one document per group id. Field names are a public contract. */
export interface GroupDocument extends GroupFacts {
  _id: string;
  phoneNumberId: string;
  wabaId: string;
  /** Every distinct group event once, sorted by Meta's time, then event id. */
  history: GroupHistoryEntry[];
  /** Distinct messages in `group_messages` naming the group (the framework's exact count). */
  messageCount: number;
  lastMessageAt: Date | null;
  projectionVersion: number;
}

/** A group known from nothing yet: active until Meta says it is deleted or suspended. */
const noFacts: GroupFacts = {
  subject: null,
  description: null,
  inviteLink: null,
  joinApprovalMode: null,
  state: "active",
  participants: [],
  pendingJoinRequests: [],
  settingsChanges: { subject: null, description: null, profilePicture: null },
  failedOperations: [],
};

/** A participant's phone number and BSUID: as Meta named them, else the `input` the business named (a BSUID has a dot). */
function idsOf(participant: GroupParticipant): { waId: string | null; userId: string | null } {
  const { input } = participant;
  const inputIsUserId = input?.includes(".") ?? false;
  return {
    waId: participant.waId ?? (inputIsUserId ? null : input),
    userId: participant.userId ?? (inputIsUserId ? input : null),
  };
}

const isSameUser = (
  a: { waId: string | null; userId: string | null },
  b: { waId: string | null; userId: string | null },
): boolean => (a.waId !== null && a.waId === b.waId) || (a.userId !== null && a.userId === b.userId);

/** Participants after an add: a new one is a member since `at`; one already a member keeps their `since`. */
function withAdded(facts: GroupFacts, added: readonly GroupParticipant[], at: Date): GroupFacts {
  let { participants, pendingJoinRequests } = facts;
  for (const participant of added) {
    const ids = idsOf(participant);
    if (ids.waId === null && ids.userId === null) continue;
    const known = participants.find((member) => isSameUser(member, ids));
    const member: GroupMember = {
      waId: ids.waId ?? known?.waId ?? null,
      userId: ids.userId ?? known?.userId ?? null,
      username: participant.username ?? known?.username ?? null,
      since: known?.since ?? at,
    };
    participants = known
      ? participants.map((other) => (other === known ? member : other))
      : [...participants, member];
    // An added requester's request is settled.
    pendingJoinRequests = pendingJoinRequests.filter((request) => !isSameUser(request, member));
  }
  return { ...facts, participants, pendingJoinRequests };
}

function withRemoved(facts: GroupFacts, removed: readonly GroupParticipant[]): GroupFacts {
  const gone = removed.map(idsOf);
  return {
    ...facts,
    participants: facts.participants.filter((member) => !gone.some((ids) => isSameUser(member, ids))),
  };
}

const succeeded = (update: { updateSuccessful: boolean | null; errors: WhatsAppError[] }): boolean =>
  update.updateSuccessful !== false && update.errors.length === 0;

function withSettings(facts: GroupFacts, entry: GroupHistoryEntry): GroupFacts {
  const { subjectUpdate, descriptionUpdate, profilePictureUpdate, at } = entry;
  const textChange = (update: NonNullable<typeof subjectUpdate>): GroupTextChange => ({
    text: update.text,
    succeeded: succeeded(update),
    errors: update.errors,
    at,
  });
  const next = { ...facts, settingsChanges: { ...facts.settingsChanges } };
  if (subjectUpdate) {
    next.settingsChanges.subject = textChange(subjectUpdate);
    if (succeeded(subjectUpdate)) next.subject = subjectUpdate.text;
  }
  if (descriptionUpdate) {
    next.settingsChanges.description = textChange(descriptionUpdate);
    if (succeeded(descriptionUpdate)) next.description = descriptionUpdate.text;
  }
  if (profilePictureUpdate)
    next.settingsChanges.profilePicture = {
      mimeType: profilePictureUpdate.mimeType,
      sha256: profilePictureUpdate.sha256,
      succeeded: succeeded(profilePictureUpdate),
      errors: profilePictureUpdate.errors,
      at,
    };
  return next;
}

/** The facts after one more entry, in time order. An operation Meta reports as failed changes no state. */
function applyEntry(facts: GroupFacts, entry: GroupHistoryEntry): GroupFacts {
  const errors = entry.errors ?? [];
  const failedParticipants = entry.failedParticipants ?? [];
  const failed = errors.length > 0;
  const next: GroupFacts =
    failed || failedParticipants.length > 0
      ? {
          ...facts,
          failedOperations: [
            ...facts.failedOperations,
            { eventId: entry.eventId, type: entry.type, at: entry.at, errors, failedParticipants },
          ],
        }
      : facts;
  switch (entry.type) {
    case "group_create":
      return failed
        ? next
        : {
            ...next,
            state: "active",
            subject: entry.subject ?? next.subject,
            description: entry.description ?? next.description,
            inviteLink: entry.inviteLink ?? next.inviteLink,
            joinApprovalMode: entry.joinApprovalMode ?? next.joinApprovalMode,
          };
    case "group_delete":
      return failed ? next : { ...next, state: "deleted" };
    case "group_suspend":
      return failed ? next : { ...next, state: "suspended" };
    case "group_suspend_cleared":
      return failed ? next : { ...next, state: "active" };
    // Meta lists only the participants it did add or remove; those it could not are failedParticipants.
    case "group_participants_add":
      return withAdded(next, entry.addedParticipants ?? [], entry.at);
    case "group_participants_remove":
      return withRemoved(next, entry.removedParticipants ?? []);
    case "group_join_request_created": {
      const requester = entry.joinRequester;
      if (!requester || next.pendingJoinRequests.some((r) => r.joinRequestId === entry.joinRequestId))
        return next;
      const request: PendingJoinRequest = {
        joinRequestId: entry.joinRequestId ?? null,
        ...idsOf(requester),
        username: requester.username,
        since: entry.at,
      };
      return { ...next, pendingJoinRequests: [...next.pendingJoinRequests, request] };
    }
    case "group_join_request_revoked":
      return {
        ...next,
        pendingJoinRequests: next.pendingJoinRequests.filter((request) =>
          entry.joinRequestId
            ? request.joinRequestId !== entry.joinRequestId
            : !(entry.joinRequester && isSameUser(request, idsOf(entry.joinRequester))),
        ),
      };
    case "group_settings_update":
      return withSettings(next, entry);
    default:
      // A type Meta adds later: kept in the history only.
      return next;
  }
}

function historyEntry(event: GroupEvent): GroupHistoryEntry {
  const carried = Object.entries(event).filter(
    ([key, value]) =>
      !envelopeFields.has(key) &&
      value !== null &&
      value !== undefined &&
      !(Array.isArray(value) && value.length === 0),
  );
  return {
    eventId: event.eventId,
    at: new Date(event.timestamp!),
    ...(Object.fromEntries(carried) as Pick<GroupChangeParts, "field" | "type">),
  };
}

/** A group document before any event or message: its ids and nothing known. */
function emptyGroup(id: string, owner: { phoneNumberId: string; wabaId: string }): GroupDocument {
  return {
    _id: id,
    phoneNumberId: owner.phoneNumberId,
    wabaId: owner.wabaId,
    ...noFacts,
    history: [],
    messageCount: 0,
    lastMessageAt: null,
    projectionVersion: groupsProjectionVersion,
  };
}

/** The group after one more Groups API event: every fact is the fold of the history in time order. */
function withGroupEvent(current: GroupDocument | null, event: GroupEvent): GroupDocument {
  const base = current ?? emptyGroup(event.groupId, event);
  const history = withTimedEvent(base.history, historyEntry(event));
  if (!history) return base;
  return { ...base, ...history.reduce(applyEntry, noFacts), history };
}

/** The group after one more of its messages: the latest message time (the count is the framework's). */
function withGroupMessage(current: GroupDocument | null, message: InboundMessageEvent): GroupDocument {
  const base = current ?? emptyGroup(message.groupId!, message);
  const at = new Date(message.timestamp);
  if (base.lastMessageAt !== null && base.lastMessageAt.getTime() >= at.getTime()) return base;
  return { ...base, lastMessageAt: at };
}

/**
 * Pure projection of one `groups` document. Idempotent (an event already in the history, or a message
 * not later than the latest, returns `current` itself) and order-independent: the facts are a fold of
 * the sorted history, the message time a maximum.
 */
export const evolveGroup = (current: GroupDocument | null, event: GroupsEvent): GroupDocument =>
  event.kind === "group" ? withGroupEvent(current, event.event) : withGroupMessage(current, event.message);
