/** Reading Meta's webhook JSON: a lossless parse, and lenient readers of the values it holds. Pure. */

export type Json = Record<string, unknown>;

/** What JSON.parse's reviver gets on Node 24: the source text of each primitive value. */
interface ReviverContext {
  source?: string;
}

/** JSON.rawJSON and JSON.isRawJSON (Node 24, not yet in TypeScript's lib). */
interface RawJson {
  readonly rawJSON: string;
}
const json = JSON as typeof JSON & {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
};

const integerLiteral = /^-?\d+$/;
/** A JSON number of at least 16 digits (first, or after `:`, `[` or `,`; digits in a string follow a quote). */
const longNumber = /(?:^|[:[,])\s*-?\d{16}/;

/**
 * JSON.parse, except that an integer beyond 2^53 (Meta's template ids are JSON numbers) is kept as its
 * digits: a raw JSON value that `text` reads as those digits and JSON.stringify writes back unchanged.
 */
export function parseJsonLosslessly(source: string): unknown {
  // The reviver costs about six plain parses; only a body with a JSON number of 16 digits or more
  // (2^53 has 16) can hold an integer it would change.
  if (!longNumber.test(source)) return JSON.parse(source);
  try {
    return JSON.parse(source, keepLargeIntegers);
  } catch (error) {
    // The reviver recurses: JSON nested thousands deep overflows it where a plain parse does not.
    if (error instanceof RangeError) return JSON.parse(source);
    throw error;
  }
}

const keepLargeIntegers = function keepLargeIntegers(_key, value: unknown, context?: ReviverContext) {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const literal = context?.source;
  return literal !== undefined && integerLiteral.test(literal) ? json.rawJSON(literal) : value;
} as (key: string, value: unknown) => unknown;

export const isRawJson = (value: unknown): value is RawJson => json.isRawJSON(value);

export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !isRawJson(value);
export const objectOrEmpty = (value: unknown): Json => (isObject(value) ? value : {});
export const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A string, a number written in decimal (a large integer digit for digit), else null. */
export const text = (value: unknown): string | null =>
  typeof value === "string"
    ? value
    : typeof value === "number"
      ? String(value)
      : isRawJson(value)
        ? value.rawJSON
        : null;
export const flag = (value: unknown): boolean | null => (typeof value === "boolean" ? value : null);
export const decimal = (value: unknown): number | null => {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : null;
};
/** Meta's timestamps are Unix seconds, as numbers or strings. */
export const secondsToMillis = (value: unknown): number | null => {
  const seconds = decimal(value);
  return seconds === null ? null : Math.round(seconds * 1000);
};
