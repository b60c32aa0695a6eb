/**
 * Deep copies of user values (records handed between operators, values kept in state), so that
 * changing one copy in place cannot change another.
 *
 * Contract:
 * - primitives and functions are returned as they are;
 * - arrays, plain objects and instances of user classes are copied field by field (own enumerable
 *   string keys), instances keeping their prototype, so methods and `instanceof` still work;
 * - Map, Set, Date, RegExp, ArrayBuffer, typed arrays and DataView are copied with their contents;
 * - objects the copy cannot reproduce (promises, weak collections, objects with private `#fields`
 *   of a class) are shared, not copied;
 * - shared references and cycles are reproduced as such in the copy.
 *
 * Cost: the common case (a tree of plain objects and arrays) is copied by a direct recursion with
 * no bookkeeping; only a value nested deeper than `FAST_DEPTH` (a cycle, or a very deep tree) is
 * copied again with a table of the objects seen.
 */

const FAST_DEPTH = 64;

class TooDeep extends Error {}
const TOO_DEEP = new TooDeep();

export function deepCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  try {
    return copyTree(value, 0) as T;
  } catch (e) {
    if (e !== TOO_DEEP) throw e;
    return copyGraph(value) as T;
  }
}

function copyTree(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > FAST_DEPTH) throw TOO_DEEP;
  const next = depth + 1;
  if (Array.isArray(value)) {
    const out = value.slice();
    for (let i = 0; i < out.length; i++) {
      const element: unknown = out[i];
      if (typeof element === "object" && element !== null) out[i] = copyTree(element, next);
    }
    return out;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    // Spreading clones the object's shape in one step; only fields holding objects need more.
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key in out) {
      const field = out[key];
      if (typeof field === "object" && field !== null && Object.hasOwn(out, key)) out[key] = copyTree(field, next);
    }
    return out;
  }
  const out = shell(value);
  if (out !== value) fill(value, out, (v) => copyTree(v, next));
  return out;
}

/** Copies any object graph without recursion: each object's copy is made empty, then filled. */
function copyGraph(root: object): unknown {
  const seen = new Map<object, unknown>();
  const pending: [object, unknown][] = [];
  const copy = (value: unknown): unknown => {
    if (typeof value !== "object" || value === null) return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    const out = shell(value);
    seen.set(value, out);
    if (out !== value) pending.push([value, out]);
    return out;
  };
  const result = copy(root);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) fill(next[0], next[1], copy);
  return result;
}

/**
 * The copy of `value` before its contents are copied: an empty container of its kind, a complete
 * copy of a leaf (Date, RegExp, binary data), or `value` itself when it cannot be copied.
 */
function shell(value: object): unknown {
  if (Array.isArray(value)) return new Array<unknown>(value.length);
  if (value instanceof Map) return new Map();
  if (value instanceof Set) return new Set();
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (ArrayBuffer.isView(value)) return copyView(value);
  if (!copyable(value)) return value;
  return Object.create(Object.getPrototypeOf(value) as object | null);
}

/** Copies the contents of `value` into its shell `out` (containers and objects only). */
function fill(value: object, out: unknown, copy: (v: unknown) => unknown): void {
  if (Array.isArray(value)) {
    const array = out as unknown[];
    for (let i = 0; i < value.length; i++) array[i] = copy(value[i]);
  } else if (value instanceof Map) {
    for (const [k, v] of value) (out as Map<unknown, unknown>).set(copy(k), copy(v));
  } else if (value instanceof Set) {
    for (const v of value) (out as Set<unknown>).add(copy(v));
  } else if (copyable(value)) {
    const fields = out as Record<string, unknown>;
    for (const key of Object.keys(value)) fields[key] = copy((value as Record<string, unknown>)[key]);
  }
}

function copyView(view: ArrayBufferView): ArrayBufferView {
  if (view instanceof DataView) return new DataView(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
  return (view as unknown as { slice(): ArrayBufferView }).slice();
}

/**
 * Plain objects and instances of user classes; not built-ins whose state lives outside their own
 * fields (promises, weak collections, errors, boxed primitives, streams, handles).
 */
function copyable(value: object): boolean {
  return Object.prototype.toString.call(value) === "[object Object]";
}
