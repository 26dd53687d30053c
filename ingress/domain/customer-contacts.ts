import { arrayOf, isObject, objectOrEmpty, text, type Json } from "./meta-json";

/** A customer as an item of a webhook names them: phone number, BSUID, parent BSUID, each when sent. */
export interface CustomerIds {
  waId: string | null;
  userId: string | null;
  parentUserId: string | null;
}

/** The customer as the typed topics carry them, their profile from the change's value.contacts. */
export interface Customer {
  customerWaId: string | null;
  customerUserId: string | null;
  customerParentUserId: string | null;
  username: string | null;
  profileName: string | null;
}

/** The customer's entry of value.contacts: by phone number, by BSUID, or the only one there is. */
export function contactOf(contacts: unknown, waId: string | null, userId: string | null): Json | undefined {
  const entries = arrayOf(contacts).filter(isObject);
  const byId = entries.find(
    (contact) =>
      (waId !== null && text(contact.wa_id) === waId) ||
      (userId !== null && text(contact.user_id) === userId),
  );
  return byId ?? (entries.length === 1 ? entries[0] : undefined);
}

/** The customer's ids, completed from their contacts entry, with their username and profile name. */
export function customerOf(ids: CustomerIds, contacts: unknown): Customer {
  const contact = contactOf(contacts, ids.waId, ids.userId);
  const profile = objectOrEmpty(contact?.profile);
  return {
    customerWaId: ids.waId ?? text(contact?.wa_id),
    customerUserId: ids.userId ?? text(contact?.user_id),
    customerParentUserId: ids.parentUserId ?? text(contact?.parent_user_id),
    username: text(profile.username),
    profileName: text(profile.name),
  };
}

/** Digits only: Meta writes one phone number with and without `+`, spaces or dashes. */
export const phoneDigits = (phone: string | null): string | null => phone?.replace(/\D/g, "") || null;
