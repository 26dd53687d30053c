import type {
  TemplateCategoryChange,
  TemplateComponents,
  TemplateEvent,
  TemplateOtherInfo,
  TemplateQualityChange,
  TemplateRejectionInfo,
  TemplateStatusChange,
} from "../../../contracts/generated/types";
import { withEvent } from "../shared/event-history";

/** A template as the template sync read it from the Graph API (the sync's own event kind). */
export type TemplateSnapshot = NonNullable<TemplateEvent["snapshot"]>;

/** One distinct template event: its time, its field and the part it carried. */
export interface TemplateHistoryEntry {
  eventId: string;
  field: string;
  /** Meta's time (entry[].time; the ingress's arrival time when Meta sent none; the sync's read time). */
  at: Date;
  /** When the ingress received it (the sync: when it published it): orders two events of the same second. */
  receivedAt: Date;
  templateName?: string;
  language?: string;
  status?: TemplateStatusChange;
  quality?: TemplateQualityChange;
  category?: TemplateCategoryChange;
  components?: TemplateComponents;
  snapshot?: TemplateSnapshot;
}

/** Meta's extra information on the current status; null when the latest status change carried none. */
export interface TemplateStatusInfo {
  otherInfo: TemplateOtherInfo | null;
  rejectionInfo: TemplateRejectionInfo | null;
  disabledAt: Date | null;
}

/** A category change Meta announced ahead and that has not happened yet. */
export interface AnnouncedCategoryChange {
  category: string | null;
  effectiveAt: Date | null;
  announcedAt: Date;
}

/** Read model `templates`: one document per template id. Field names are a public contract. */
export interface TemplateDocument {
  _id: string;
  wabaId: string;
  name: string | null;
  language: string | null;
  category: string | null;
  previousCategory: string | null;
  announcedCategoryChange: AnnouncedCategoryChange | null;
  status: string | null;
  statusReason: string | null;
  statusInfo: TemplateStatusInfo | null;
  qualityScore: string | null;
  previousQualityScore: string | null;
  components: TemplateComponents | null;
  /** Every distinct event once, sorted by time, then event id. */
  history: TemplateHistoryEntry[];
  /** Time of the latest event in the history. */
  updatedAt: Date;
  projectionVersion: number;
}

export const templatesProjectionVersion = 1;

type TemplateState = Omit<TemplateDocument, "_id" | "wabaId" | "history" | "updatedAt" | "projectionVersion">;

const emptyState: TemplateState = {
  name: null,
  language: null,
  category: null,
  previousCategory: null,
  announcedCategoryChange: null,
  status: null,
  statusReason: null,
  statusInfo: null,
  qualityScore: null,
  previousQualityScore: null,
  components: null,
};

/** The event's time: Meta's entry[].time, else the ingress's arrival time (both carried by the event). */
const timeOf = (event: TemplateEvent): number => event.eventTime ?? event.receivedAt;

/**
 * Sync snapshots kept in a history: the latest by time. Each sync run reads every template again, so
 * keeping them all would grow a document without bound; the kept set is the latest of all seen,
 * whatever their order, so the document stays a function of the events.
 */
export const snapshotsKept = 10;

function withoutOldSnapshots(history: TemplateHistoryEntry[]): TemplateHistoryEntry[] {
  const snapshots = history.filter((entry) => entry.snapshot !== undefined);
  if (snapshots.length <= snapshotsKept) return history;
  const dropped = new Set(snapshots.slice(0, snapshots.length - snapshotsKept));
  return history.filter((entry) => !dropped.has(entry));
}

function historyEntry(event: TemplateEvent): TemplateHistoryEntry {
  return {
    eventId: event.eventId,
    field: event.field,
    at: new Date(timeOf(event)),
    receivedAt: new Date(event.receivedAt),
    ...(event.templateName !== null ? { templateName: event.templateName } : {}),
    ...(event.language !== null ? { language: event.language } : {}),
    ...(event.status ? { status: event.status } : {}),
    ...(event.quality ? { quality: event.quality } : {}),
    ...(event.category ? { category: event.category } : {}),
    ...(event.components ? { components: event.components } : {}),
    // Absent (not null) in records written before the sync's version of the schema.
    ...(event.snapshot ? { snapshot: event.snapshot } : {}),
  };
}

/** A new category, remembering the one it replaces when it differs. */
function withCategory(
  state: TemplateState,
  category: string | null,
  previous?: string | null,
): TemplateState {
  if (category === null || category === state.category) return state;
  return { ...state, category, previousCategory: previous ?? state.category };
}

/** The state after one more entry, in time order. */
function applyEntry(state: TemplateState, entry: TemplateHistoryEntry): TemplateState {
  let next: TemplateState = {
    ...state,
    name: entry.templateName ?? state.name,
    language: entry.language ?? state.language,
  };
  const { status, quality, category, components, snapshot } = entry;
  if (status) {
    next = {
      ...withCategory(next, status.category),
      status: status.event,
      statusReason: status.reason,
      statusInfo:
        status.otherInfo || status.rejectionInfo || status.disableDate !== null
          ? {
              otherInfo: status.otherInfo,
              rejectionInfo: status.rejectionInfo,
              disabledAt: status.disableDate !== null ? new Date(status.disableDate) : null,
            }
          : null,
    };
  }
  if (quality) {
    next = {
      ...next,
      previousQualityScore: quality.previousScore ?? next.qualityScore,
      qualityScore: quality.newScore ?? next.qualityScore,
    };
  }
  if (category) {
    next = category.announced
      ? {
          ...withCategory(next, category.newCategory),
          announcedCategoryChange: {
            category: category.correctCategory,
            effectiveAt: category.categoryUpdateTime !== null ? new Date(category.categoryUpdateTime) : null,
            announcedAt: entry.at,
          },
        }
      : {
          ...withCategory(next, category.newCategory, category.previousCategory),
          announcedCategoryChange: null,
        };
  }
  if (components) next = { ...next, components };
  if (snapshot) {
    const statusChanged = snapshot.status !== null && snapshot.status !== next.status;
    next = {
      ...withCategory(next, snapshot.category, snapshot.previousCategory),
      status: snapshot.status ?? next.status,
      // The Graph API gives the reason of a rejection only; the pause and disable details stay while the status does.
      statusReason: statusChanged ? snapshot.rejectedReason : (snapshot.rejectedReason ?? next.statusReason),
      statusInfo: statusChanged ? null : next.statusInfo,
      previousQualityScore:
        snapshot.qualityScore !== null && snapshot.qualityScore !== next.qualityScore
          ? next.qualityScore
          : next.previousQualityScore,
      qualityScore: snapshot.qualityScore ?? next.qualityScore,
      components: snapshot.components ?? next.components,
    };
  }
  // An announced change is over once the template has the announced category, whichever event said so.
  if (next.announcedCategoryChange && next.category === next.announcedCategoryChange.category)
    next = { ...next, announcedCategoryChange: null };
  return next;
}

/**
 * Pure projection: the template's document after one more event. Idempotent (an event already in the
 * history returns `current` itself) and order-independent: every field is the fold of the history, the
 * sorted set of distinct events, so the latest state by Meta's time whatever the arrival order.
 */
export function evolveTemplate(current: TemplateDocument | null, event: TemplateEvent): TemplateDocument {
  const added = withEvent(current?.history ?? [], historyEntry(event));
  if (!added) return current!;
  const history = withoutOldSnapshots(added);
  if (
    current &&
    history.length === current.history.length &&
    history.every((e, i) => e === current.history[i])
  )
    return current;
  return {
    ...current,
    _id: event.templateId,
    wabaId: current?.wabaId ?? event.wabaId,
    ...history.reduce(applyEntry, emptyState),
    history,
    updatedAt: history[history.length - 1]!.at,
    projectionVersion: templatesProjectionVersion,
  };
}
