/** Why a record went to the dead-letter topic: a closed set, used as the metric label and span status. */
export const deadLetterKinds = [
  "empty",
  "undecodable",
  "not_applicable",
  "projection_failed",
  "refused_by_store",
] as const;
export type DeadLetterKind = (typeof deadLetterKinds)[number];

/** A record the projector cannot apply, with the kind and the detail that go to the dead-letter topic. */
export interface Unapplicable {
  kind: DeadLetterKind;
  detail: string;
}

/** The dead letter's `reason` text: its kind first, then what was wrong. */
export const deadLetterReason = ({ kind, detail }: Unapplicable): string => `${kind}: ${detail}`;

/** A projection's own function (documentId, evolve, document) threw for an event: it will throw again. */
export class ProjectionFailedError extends Error {
  readonly retriable = false;
  readonly kind = "projection_failed";
  constructor(projectionFunction: string, cause: unknown) {
    super(`${projectionFunction} threw: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "ProjectionFailedError";
  }
}

/** Runs a projection's own function; what it throws becomes a ProjectionFailedError. */
export function declared<T>(projectionFunction: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new ProjectionFailedError(projectionFunction, error);
  }
}

/** The dead-letter kind a non-retriable error stands for: its own `kind`, or a store's refusal. */
export function deadLetterKindOf(error: unknown): DeadLetterKind {
  const kind = (error as { kind?: unknown }).kind;
  return deadLetterKinds.includes(kind as DeadLetterKind) ? (kind as DeadLetterKind) : "refused_by_store";
}

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
