/** Why a record went to the dead-letter topic: a closed set, used as the metric label and span status. */
export const deadLetterKinds = ["empty", "undecodable", "not_applicable", "refused_by_store"] as const;
export type DeadLetterKind = (typeof deadLetterKinds)[number];

/** A record the projector cannot apply, with the kind and the detail that go to the dead-letter topic. */
export interface Unapplicable {
  kind: DeadLetterKind;
  detail: string;
}

/** The dead letter's `reason` text: its kind first, then what was wrong. */
export const deadLetterReason = ({ kind, detail }: Unapplicable): string => `${kind}: ${detail}`;

/**
 * Whether retrying the same work can succeed. An error that says `retriable: false` (as the store
 * adapter's refusals of a document's content do) will fail again however often it is retried.
 */
export function isRetriable(error: unknown): boolean {
  return !(
    typeof error === "object" &&
    error !== null &&
    (error as { retriable?: unknown }).retriable === false
  );
}
