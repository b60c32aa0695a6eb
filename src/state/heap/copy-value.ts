/**
 * A deep copy of a stored value that user code may change in place (an accumulator), so a
 * snapshot taken before the change keeps the value as it was. Primitives are returned as they
 * are; instances of user classes keep their prototype, with their own fields copied deeply.
 */
export function copyValue<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null || Array.isArray(value) || value instanceof Map || value instanceof Set || value instanceof Date) {
    return structuredClone(value);
  }
  const copy = Object.create(proto as object) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = copyValue((value as Record<string, unknown>)[key]);
  return copy as T;
}
