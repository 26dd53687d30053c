import type {
  AccountAlert,
  AccountDisconnection,
  AccountEvent,
  AccountUpdate,
  AccountWabaInfo,
  BusinessCapability,
} from "../../../contracts/generated/types";
import { withEvent } from "../shared/event-history";
import { byText, changedAt, lastOf } from "./account-event";

/** One distinct account change: what Meta sent, at Meta's time. */
export interface AccountChange {
  eventId: string;
  at: Date;
  /** When the ingress received it: orders two changes of the same second. */
  receivedAt: Date;
  field: string;
  update?: AccountUpdate;
  alert?: AccountAlert;
  capability?: BusinessCapability;
}

/** One restriction type as the latest ACCOUNT_RESTRICTION naming it set it. */
export interface AccountRestrictionState {
  restrictionType: string | null;
  /** When it ends; null when Meta sent no readable expiry. */
  expiresAt: Date | null;
  expirationText: string | null;
  at: Date;
}

/** Read model `accounts`: one document per WhatsApp Business Account. Field names are a public contract. */
export interface AccountDocument {
  _id: string;
  wabaId: string;
  /** The latest account_update of each `event` value, sorted by event: every kind, those Meta adds later too. */
  latestUpdates: (AccountUpdate & { at: Date; eventId: string })[];
  /**
   * Every restriction type ever named, each as its latest ACCOUNT_RESTRICTION set it, and `until`, the
   * latest expiry of them: the account is restricted now while `until` is later than now.
   */
  restriction: { until: Date | null; restrictions: AccountRestrictionState[]; at: Date } | null;
  violation: { violationType: string | null; at: Date } | null;
  ban: { state: string | null; date: string | null; at: Date } | null;
  /** The latest of ACCOUNT_OFFBOARDED, ACCOUNT_RECONNECTED, ACCOUNT_DELETED and updates with disconnection_info. */
  connection: { event: string; disconnection: AccountDisconnection | null; at: Date } | null;
  /** The latest PARTNER_ADDED, PARTNER_REMOVED, PARTNER_APP_INSTALLED or PARTNER_APP_UNINSTALLED. */
  partner: { event: string; wabaInfo: AccountWabaInfo | null; at: Date } | null;
  /** The latest VOLUME_BASED_PRICING_TIER_UPDATE of each pricing category and region. */
  pricingTiers: {
    pricingCategory: string | null;
    region: string | null;
    tier: string | null;
    effectiveMonth: string | null;
    tierUpdateTime: string | null;
    at: Date;
  }[];
  /** account_alerts whose latest status (per entity and alert type) is ACTIVE. */
  activeAlerts: (Omit<AccountAlert, "status"> & { at: Date })[];
  /** Each business_capability_update value as the latest update that sent it. */
  capability: (BusinessCapability & { at: Date }) | null;
  history: AccountChange[];
  /** Meta's time of the latest change. */
  updatedAt: Date;
  projectionVersion: number;
}

export const accountProjectionVersion = 1;

const connectionEvents = new Set(["ACCOUNT_OFFBOARDED", "ACCOUNT_RECONNECTED", "ACCOUNT_DELETED"]);
const partnerEvents = new Set([
  "PARTNER_ADDED",
  "PARTNER_REMOVED",
  "PARTNER_APP_INSTALLED",
  "PARTNER_APP_UNINSTALLED",
]);

/**
 * Pure projection: the account's document after one more change. Idempotent (a change already in the
 * history returns `current` itself) and order-independent: every field is a function of the history,
 * the distinct changes sorted by Meta's time.
 */
export function evolveAccount(current: AccountDocument | null, event: AccountEvent): AccountDocument | null {
  if (!event.accountUpdate && !event.alert && !event.capability) return current;
  const change: AccountChange = {
    eventId: event.eventId,
    at: changedAt(event),
    receivedAt: new Date(event.receivedAt),
    field: event.field,
    ...(event.accountUpdate ? { update: event.accountUpdate } : {}),
    ...(event.alert ? { alert: event.alert } : {}),
    ...(event.capability ? { capability: event.capability } : {}),
  };
  const history = withEvent(current?.history ?? [], change);
  if (!history) return current;
  const updates = history.filter(
    (c): c is AccountChange & { update: AccountUpdate } => c.update !== undefined,
  );
  const lastUpdate = (matches: (update: AccountUpdate) => boolean) =>
    lastOf(updates, (c) => matches(c.update));
  const violation = lastUpdate((u) => u.event === "ACCOUNT_VIOLATION");
  const ban = lastUpdate((u) => u.event === "DISABLED_UPDATE");
  const connection = lastUpdate((u) => connectionEvents.has(u.event) || u.disconnection !== null);
  const partner = lastUpdate((u) => partnerEvents.has(u.event));
  return {
    ...current,
    _id: event.wabaId,
    wabaId: event.wabaId,
    latestUpdates: [...latestBy(updates, (c) => c.update.event).values()]
      .map((c) => ({ ...c.update, at: c.at, eventId: c.eventId }))
      .sort((a, b) => byText(a.event, b.event)),
    restriction: restrictionOf(updates),
    violation: violation ? { violationType: violation.update.violationType, at: violation.at } : null,
    ban: ban
      ? { state: ban.update.ban?.state ?? null, date: ban.update.ban?.date ?? null, at: ban.at }
      : null,
    connection: connection
      ? { event: connection.update.event, disconnection: connection.update.disconnection, at: connection.at }
      : null,
    partner: partner
      ? { event: partner.update.event, wabaInfo: partner.update.wabaInfo, at: partner.at }
      : null,
    pricingTiers: pricingTiersOf(updates),
    activeAlerts: activeAlertsOf(history),
    capability: capabilityOf(history),
    history,
    updatedAt: history[history.length - 1]!.at,
    projectionVersion: accountProjectionVersion,
  };
}

/** The last change of each key, in the order of first appearance of the keys. */
function latestBy<T>(history: readonly T[], key: (entry: T) => string): Map<string, T> {
  const latest = new Map<string, T>();
  for (const entry of history) latest.set(key(entry), entry);
  return latest;
}

const keyOf = (...parts: (string | null)[]): string => JSON.stringify(parts);

/** An expiry Meta sent in Unix seconds, else an ISO 8601 date some senders relay; null when neither. */
function expiryOf(expiration: number | null, text: string | null): Date | null {
  if (expiration !== null) return new Date(expiration);
  const iso = text !== null && /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(iso) ? null : new Date(iso);
}

function restrictionOf(
  updates: readonly (AccountChange & { update: AccountUpdate })[],
): AccountDocument["restriction"] {
  const restrictions = updates.filter((c) => c.update.event === "ACCOUNT_RESTRICTION");
  if (restrictions.length === 0) return null;
  const byType = new Map<string, AccountRestrictionState>();
  for (const c of restrictions)
    for (const r of c.update.restrictions)
      byType.set(keyOf(r.restrictionType), {
        restrictionType: r.restrictionType,
        expiresAt: expiryOf(r.expiration, r.expirationText),
        expirationText: r.expirationText,
        at: c.at,
      });
  const states = [...byType.values()].sort((a, b) =>
    byText(keyOf(a.restrictionType), keyOf(b.restrictionType)),
  );
  const expiries = states.flatMap((s) => (s.expiresAt ? [s.expiresAt.getTime()] : []));
  return {
    until: expiries.length > 0 ? new Date(Math.max(...expiries)) : null,
    restrictions: states,
    at: restrictions[restrictions.length - 1]!.at,
  };
}

function pricingTiersOf(
  updates: readonly (AccountChange & { update: AccountUpdate })[],
): AccountDocument["pricingTiers"] {
  const tiers = updates.filter((c) => c.update.volumeTier !== null);
  return [...latestBy(tiers, (c) => keyOf(c.update.volumeTier!.pricingCategory, c.update.volumeTier!.region))]
    .sort(([a], [b]) => byText(a, b))
    .map(([, c]) => ({
      pricingCategory: c.update.volumeTier!.pricingCategory,
      region: c.update.volumeTier!.region,
      tier: c.update.volumeTier!.tier,
      effectiveMonth: c.update.volumeTier!.effectiveMonth,
      tierUpdateTime: c.update.volumeTier!.tierUpdateTime,
      at: c.at,
    }));
}

function activeAlertsOf(history: readonly AccountChange[]): AccountDocument["activeAlerts"] {
  const alerts = history.filter((c): c is AccountChange & { alert: AccountAlert } => c.alert !== undefined);
  return [...latestBy(alerts, (c) => keyOf(c.alert.entityType, c.alert.entityId, c.alert.type))]
    .filter(([, c]) => c.alert.status === "ACTIVE")
    .sort(([a], [b]) => byText(a, b))
    .map(
      ([
        ,
        {
          alert: { status: _status, ...alert },
          at,
        },
      ]) => ({ ...alert, at }),
    );
}

function capabilityOf(history: readonly AccountChange[]): AccountDocument["capability"] {
  const updates = history.filter(
    (c): c is AccountChange & { capability: BusinessCapability } => c.capability !== undefined,
  );
  if (updates.length === 0) return null;
  const latestValue = <K extends keyof BusinessCapability>(key: K): BusinessCapability[K] =>
    lastOf(updates, (c) => c.capability[key] !== null)?.capability[key] ?? null;
  return {
    maxDailyConversationsPerBusiness: latestValue("maxDailyConversationsPerBusiness"),
    maxDailyConversationPerPhone: latestValue("maxDailyConversationPerPhone"),
    maxPhoneNumbersPerBusiness: latestValue("maxPhoneNumbersPerBusiness"),
    maxPhoneNumbersPerWaba: latestValue("maxPhoneNumbersPerWaba"),
    at: updates[updates.length - 1]!.at,
  };
}
