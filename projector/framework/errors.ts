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

/**
 * Every error the projector framework and its store adapters throw: `retriable` says whether the same
 * work can succeed later (wait and retry the slice) or never will (dead-letter the record, as `kind`).
 */
export abstract class ProjectorError extends Error {
  abstract readonly retriable: boolean;
  readonly kind: DeadLetterKind = "refused_by_store";
}

/** A projection's own function (documentId, evolve, merge...) threw for an event: it will throw again. */
export class ProjectionFailedError extends ProjectorError {
  readonly retriable = false;
  override readonly kind = "projection_failed";
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
    if (error instanceof ProjectorError) throw error;
    throw new ProjectionFailedError(projectionFunction, error);
  }
}

/** The store refused a write: for its state (`retriable`, wait) or for the document's content (never). */
export class WriteRefusedError extends ProjectorError {
  constructor(
    readonly collection: string,
    readonly code: number | undefined,
    detail: string,
    readonly retriable: boolean,
  ) {
    super(`${collection} refused a write (code ${code ?? "none"}): ${detail}`);
    this.name = "WriteRefusedError";
  }
}

/** Writes whose outcome stayed unknown, or documents another writer moved meanwhile: retry the slice. */
export class StoreWriteUnconfirmedError extends ProjectorError {
  readonly retriable = true;
  constructor(message: string) {
    super(message);
    this.name = "StoreWriteUnconfirmedError";
  }
}

/** The store could not be reached (no server, connection lost, shut down): retry once it is back. */
export class StoreUnavailableError extends ProjectorError {
  readonly retriable = true;
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "StoreUnavailableError";
  }
}

/** The store answered a call with an error that may pass (a read refused, a driver-side failure): retry. */
export class StoreCallFailedError extends ProjectorError {
  readonly retriable = true;
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "StoreCallFailedError";
  }
}

/** Every record of a slice was refused alike: the store's or the code's doing, retried, never dead-lettered wholesale. */
export class SliceRefusedError extends ProjectorError {
  readonly retriable = true;
  constructor(records: number, first: Unapplicable) {
    super(`all ${records} records of the slice refused (${first.kind}: ${first.detail}); retrying the slice`);
    this.name = "SliceRefusedError";
  }
}

/** Whether retrying the same work can succeed: only a ProjectorError can say it never will. */
export const isRetriable = (error: unknown): boolean => !(error instanceof ProjectorError) || error.retriable;

/** The dead-letter kind of an error that will never pass. */
export const deadLetterKindOf = (error: unknown): DeadLetterKind =>
  error instanceof ProjectorError ? error.kind : "refused_by_store";
