/**
 * A deep copy of a value, for handing one value to two owners (a state and a snapshot of it, or
 * two operators) so that neither sees the other's changes.
 *
 * Contract:
 * - primitives (bigints and symbols included) are returned as they are; so are functions, and
 *   objects whose contents cannot be read (WeakMap, WeakSet, WeakRef, Promise) and errors (their
 *   message and stack are not fields a copy could carry);
 * - plain objects (also with a null prototype) and instances of user classes become a new object
 *   with the same prototype and a deep copy of each own enumerable string-keyed property (the
 *   constructor is not run; non-enumerable and `#private` fields are not copied, nor symbol-keyed
 *   ones except on plain objects). This is where in-thread copies differ from the value codec
 *   (value-codec.ts), which writes a class instance as structuredClone does, as a plain object of
 *   the same fields: keeping the prototype is free here, and keeps methods working in a chain;
 * - arrays keep their length and holes; Map and Set keep their order, with keys, values and
 *   elements copied deeply; Date, RegExp, ArrayBuffer, DataView and typed arrays (Node's Buffer
 *   included) are copied with their bytes, keeping their type; boxed numbers, strings and
 *   booleans are boxed again;
 * - values up to MAX_FAST_DEPTH levels deep are copied by a fast recursive pass, which copies an
 *   object reached along two paths twice (as JSON or a serializer would); a deeper value, which
 *   includes every cyclic one, is copied instead by a slower pass that keeps such sharing, and
 *   so cycles, and uses no recursion (no stack overflow at any depth).
 */
import { Buffer } from "node:buffer";

/** Levels the recursive pass goes down before handing the value to the cycle-aware pass. */
const MAX_FAST_DEPTH = 256;

/** Thrown inside the recursive pass when a value is too deep for it; never escapes. */
const TOO_DEEP: unique symbol = Symbol("too deep");

export function deepCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  try {
    return copyObject(value, 0) as T;
  } catch (e) {
    if (e === TOO_DEEP) return copyTracked(value) as T;
    throw e;
  }
}

function copyAny(value: unknown, depth: number): unknown {
  return typeof value !== "object" || value === null ? value : copyObject(value, depth);
}

function copyObject(source: object, depth: number): object {
  if (depth > MAX_FAST_DEPTH) throw TOO_DEEP;
  const next = depth + 1;
  const proto: unknown = Object.getPrototypeOf(source);
  if (proto === Object.prototype) {
    // Spreading copies every own enumerable property in one step (several times faster than
    // assigning them one by one); then only the fields that hold objects need a deeper copy.
    const copy: Record<string, unknown> = { ...(source as Record<string, unknown>) };
    for (const key in copy) {
      const field = copy[key];
      if (typeof field === "object" && field !== null && Object.hasOwn(copy, key)) setProperty(copy, key, copyObject(field, next));
    }
    return copy;
  }
  if (Array.isArray(source)) {
    // slice keeps the element kind (packed numbers stay packed) and the holes.
    const copy = source.slice();
    for (let i = 0; i < copy.length; i++) {
      const element: unknown = copy[i];
      if (typeof element === "object" && element !== null) copy[i] = copyObject(element, next);
    }
    if (proto !== Array.prototype) Object.setPrototypeOf(copy, proto as object);
    return copy;
  }
  if (source instanceof Map) {
    const copy = new Map();
    for (const [k, v] of source) copy.set(copyAny(k, next), copyAny(v, next));
    return withPrototype(copy, proto, Map.prototype);
  }
  if (source instanceof Set) {
    const copy = new Set();
    for (const element of source) copy.add(copyAny(element, next));
    return withPrototype(copy, proto, Set.prototype);
  }
  const leaf = copyLeaf(source, proto);
  if (leaf !== undefined) return leaf;
  const copy = Object.create(proto as object | null) as Record<string, unknown>;
  for (const key of Object.keys(source)) setProperty(copy, key, copyAny((source as Record<string, unknown>)[key], next));
  return copy;
}

/**
 * Copies of values without object references inside (dates, byte containers, regular
 * expressions) and the objects kept by reference; undefined for objects with properties to copy.
 */
function copyLeaf(source: object, proto: unknown): object | undefined {
  if (ArrayBuffer.isView(source)) {
    if (Buffer.isBuffer(source)) return Buffer.from(source);
    if (source instanceof DataView) return withPrototype(new DataView(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength)), proto, DataView.prototype);
    const typed = source as unknown as { slice(): object };
    return typed.slice();
  }
  if (source instanceof Date) return withPrototype(new Date(source.getTime()), proto, Date.prototype);
  if (source instanceof ArrayBuffer) return source.slice(0);
  if (source instanceof RegExp) return withPrototype(new RegExp(source.source, source.flags), proto, RegExp.prototype);
  if (source instanceof Number || source instanceof String || source instanceof Boolean) return Object(source.valueOf()) as object;
  if (source instanceof WeakMap || source instanceof WeakSet || source instanceof WeakRef || source instanceof Promise || source instanceof Error) return source;
  return undefined;
}

function withPrototype<T extends object>(copy: T, proto: unknown, builtIn: object): T {
  if (proto !== builtIn) Object.setPrototypeOf(copy, proto as object | null);
  return copy;
}

/** Assigns an own data property; `__proto__` as a key must not change the copy's prototype. */
function setProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * The cycle-aware pass: every object is copied once (sharing and cycles kept), with an explicit
 * work list instead of recursion. An object's copy is created empty first and filled later, so a
 * Map or Set is filled in its source's order with copies that may still be filling.
 */
function copyTracked(root: object): object {
  const copies = new Map<object, object>();
  const toFill: [object, object][] = [];
  const copyOf = (value: unknown): unknown => {
    if (typeof value !== "object" || value === null) return value;
    const known = copies.get(value);
    if (known !== undefined) return known;
    const proto: unknown = Object.getPrototypeOf(value);
    let copy: object;
    if (Array.isArray(value)) copy = withPrototype(new Array<unknown>(value.length), proto, Array.prototype);
    else if (value instanceof Map) copy = withPrototype(new Map(), proto, Map.prototype);
    else if (value instanceof Set) copy = withPrototype(new Set(), proto, Set.prototype);
    else {
      const leaf = copyLeaf(value, proto);
      if (leaf !== undefined) {
        copies.set(value, leaf);
        return leaf;
      }
      copy = Object.create(proto as object | null) as object;
    }
    copies.set(value, copy);
    toFill.push([value, copy]);
    return copy;
  };
  const rootCopy = copyOf(root) as object;
  for (let item = toFill.pop(); item !== undefined; item = toFill.pop()) {
    const [source, copy] = item;
    if (Array.isArray(source)) {
      const target = copy as unknown[];
      for (let i = 0; i < source.length; i++) if (i in source) target[i] = copyOf(source[i]);
    } else if (source instanceof Map) {
      for (const [k, v] of source) (copy as Map<unknown, unknown>).set(copyOf(k), copyOf(v));
    } else if (source instanceof Set) {
      for (const element of source) (copy as Set<unknown>).add(copyOf(element));
    } else {
      for (const key of Object.keys(source)) setProperty(copy as Record<string, unknown>, key, copyOf((source as Record<string, unknown>)[key]));
    }
  }
  return rootCopy;
}
