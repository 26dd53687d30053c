const plainKeyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A field name every document store takes: letters, digits and `_`, not starting with a digit; not
 * `__proto__`, which looks plain but, assigned, sets an object's prototype instead of a field.
 */
export const isPlainKey = (key: string): boolean => plainKeyPattern.test(key) && key !== "__proto__";
const deepestNesting = 32;

/**
 * Whether a value from outside (Meta's JSON) can be stored under a field as it is: every key in it is a
 * plain name (no `$` prefix, no dot, no U+0000), no array directly inside an array, and no deeper than
 * 32 levels. Anything else would give the store's documents a shape chosen by the sender.
 */
export function isStorableValue(value: unknown, depth = 0): boolean {
  if (depth > deepestNesting) return false;
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value))
    return value.every((item) => !Array.isArray(item) && isStorableValue(item, depth + 1));
  return Object.entries(value).every(([key, item]) => isPlainKey(key) && isStorableValue(item, depth + 1));
}

/**
 * The value with every U+0000 in its strings (keys included) replaced by U+FFFD: PostgreSQL's jsonb,
 * under FerretDB, cannot hold U+0000, and the MongoDB driver refuses it in keys. Returns the value
 * itself when it holds none. The raw topic keeps what Meta sent.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === "string")
    return (value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value) as T;
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value) || value instanceof Date)
    return value;
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const clean = withoutNul(item);
      changed ||= clean !== item;
      return clean;
    });
    return (changed ? items : value) as T;
  }
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const cleanKey = withoutNul(key);
    const clean = withoutNul(item);
    changed ||= clean !== item || cleanKey !== key;
    return [cleanKey, clean] as const;
  });
  return (changed ? Object.fromEntries(entries) : value) as T;
}
