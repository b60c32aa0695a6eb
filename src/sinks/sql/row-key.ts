/**
 * The identity of a row's key values, for telling rows of one key from rows of another inside a
 * batch. Two key lists get the same text exactly when they hold the same values of the same types:
 * 1 and "1", 1 and 1n, a Date and its ISO text, null and undefined, and any two different objects
 * give different texts, while a Date's text keeps its milliseconds and an object's text does not
 * depend on the order its properties were set in. Values are read when the function runs, so a
 * record changed in place afterwards does not change its key.
 */

/** The canonical text of `values`; pure. */
export function rowKey(values: readonly unknown[]): string {
  return encode(values, new Set());
}

function encode(value: unknown, seen: Set<object>): string {
  switch (typeof value) {
    case "string":
      return `s${JSON.stringify(value)}`;
    case "number":
      // -0 and 0 are one key to a server; NaN is one text.
      return `n${Object.is(value, -0) ? "0" : String(value)}`;
    case "bigint":
      return `b${value.toString()}`;
    case "boolean":
      return value ? "t" : "f";
    case "undefined":
      return "u";
    case "symbol":
    case "function":
      throw new TypeError(`a key value cannot be a ${typeof value}`);
  }
  if (value === null) return "z";
  const object = value as object;
  if (seen.has(object)) throw new TypeError("a key value cannot contain itself");
  seen.add(object);
  try {
    if (object instanceof Date) return `d${String(object.getTime())}`;
    if (ArrayBuffer.isView(object)) return `x${Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString("hex")}`;
    if (Array.isArray(object)) return `[${object.map((v) => encode(v, seen)).join(",")}]`;
    const entries = Object.keys(object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${encode((object as Record<string, unknown>)[k], seen)}`);
    return `{${entries.join(",")}}`;
  } finally {
    seen.delete(object);
  }
}
