import type { InboundMessageEvent } from "../../../contracts/generated/types";

/** The customer's identifiers a conversation shows, each the latest sighting. */
export const identityFields = ["waId", "userId", "parentUserId", "username", "profileName"] as const;
export type IdentityField = (typeof identityFields)[number];
export type CustomerIdentity = Partial<Record<IdentityField, string | null>>;

/**
 * The customer's phone number in a message: `fromWaId`, or `from` in records written before the
 * identity fields existed (no `fromUserId` then, and `from` was always the phone number).
 */
export const phoneNumberOf = (
  event: Pick<InboundMessageEvent, "from" | "fromWaId" | "fromUserId">,
): string | null => event.fromWaId ?? (event.fromUserId ? null : event.from);

/** What the event says the customer's identifiers are now. A system notice gives the values after its change. */
export function identityOf(event: InboundMessageEvent): CustomerIdentity {
  const system = event.system ?? null;
  if (system && (system.type === "user_changed_number" || system.type === "user_changed_user_id"))
    return {
      waId: system.waId ?? (system.type === "user_changed_user_id" ? phoneNumberOf(event) : null),
      userId: system.userId ?? null,
      parentUserId: system.parentUserId ?? null,
      username: event.username ?? null,
      profileName: event.profileName,
    };
  return {
    waId: phoneNumberOf(event),
    userId: event.fromUserId ?? null,
    parentUserId: event.fromParentUserId ?? null,
    username: event.username ?? null,
    profileName: event.profileName,
  };
}

/** Every id of the customer the event names, `<phoneNumberId>:<phone number or BSUID>`: the ones it links. */
export function customerIdsOf(event: InboundMessageEvent): string[] {
  const system = event.system ?? null;
  const identifiers = [
    phoneNumberOf(event),
    event.fromUserId ?? null,
    system?.waId ?? null,
    system?.userId ?? null,
    system?.previousUserId ?? null,
  ];
  const ids = identifiers
    .filter((id): id is string => id !== null && id !== "")
    .map((id) => `${event.phoneNumberId}:${id}`);
  return ids.length > 0 ? [...new Set(ids)] : [`${event.phoneNumberId}:${event.from}`];
}

/**
 * The id a customer's conversation goes by: their smallest phone-number id when one is known (so the
 * documents keyed `<phoneNumberId>:<waId>` before BSUIDs keep their id), else their smallest BSUID id.
 * A function of the set: the order in which ids are learned cannot change it.
 */
export function conversationSurvivor(ids: readonly string[]): string {
  const isBsuid = (id: string) => id.slice(id.indexOf(":") + 1).includes(".");
  const phones = ids.filter((id) => !isBsuid(id));
  return [...(phones.length > 0 ? phones : ids)].sort()[0]!;
}

/** The document's id before any link is known: the first id the message names. */
export const conversationIdOf = (event: InboundMessageEvent): string => customerIdsOf(event)[0]!;
