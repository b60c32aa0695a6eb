/**
 * How a user's value is written wherever it leaves the live heap: keyed state snapshots, operator
 * snapshots and records crossing threads. One rule for all three places.
 *
 * Contract: what is read back is what `structuredClone` returns for the value as it was when it
 * was written — the same types (Map, Set, Date, RegExp, bigint, Error, ArrayBuffer, DataView and
 * typed arrays; a Node Buffer stays a Buffer), `-0` and `NaN`, a property set to `undefined`
 * against a missing one, array holes, and an object reached twice (sharing, cycles) within one
 * value. Nothing is shared between the value and its bytes, nor between two decodes.
 *
 * An instance of a class is written as `structuredClone` copies it: as a plain object of its own
 * enumerable properties (its prototype, methods, getters and `#private` fields are not written), or
 * as its built-in type for a subclass of one (a subclass of Map comes back a Map). An instance of a
 * class with a `toJSON` method is written as what `toJSON()` returns instead (as JSON.stringify
 * would; Weir's windows are written so), and read back as that.
 *
 * A value that `structuredClone` would not copy is refused when it is written, with
 * `WEIR_ERR_VALUE_NOT_SERIALIZABLE` naming where the value was and the path inside it: functions,
 * symbols, WeakMap, WeakSet, WeakRef, Promise and SharedArrayBuffer (and other built-in objects
 * V8's serializer cannot copy, such as iterators, named by V8's message without a path).
 * Symbol-keyed and non-enumerable properties are not written (as `structuredClone` does). A lone
 * surrogate in a string value is kept (a text cut in the middle of an emoji), but not in a
 * property name of a plain object, where it becomes U+FFFD: checking every name would cost a
 * third of the encoding of small records. A value nested deeper than MAX_INSPECTED_DEPTH levels is
 * written without the check of what lies below that depth; a function down there still fails the
 * write, naming only the depth.
 *
 * Two encodings, chosen per value by one inspection: a *plain* value (null, booleans, numbers
 * other than -0, well-formed strings, Dates, plain objects, instances of classes and dense arrays
 * of plain values, each object reached once) is MessagePack (msgpackr), which reads it back exactly and is several times
 * faster than the alternative; every other value is written by V8's serializer, the algorithm of
 * `structuredClone` itself. A plain value never holds a Uint8Array, so in a list of slots (see
 * toSlot) a Uint8Array marks the V8 bytes of a value that is not plain.
 */
import { Buffer } from "node:buffer";
import { deserialize, serialize } from "node:v8";
import { Packr } from "msgpackr";
import { WeirError } from "./errors.ts";

declare global {
  interface String {
    /** ES2024; in Node since 20. False when the string holds a lone surrogate. */
    isWellFormed(): boolean;
  }
}

/** Below this depth a value is not inspected further (the walk is recursive). */
const MAX_INSPECTED_DEPTH = 1000;

const PLAIN = 0;
const RICH = 1;
const REFUSED = 2;
type Verdict = typeof PLAIN | typeof RICH | typeof REFUSED;

/** Whether a value can be written as MessagePack (`plain`) or needs V8's serializer (`rich`). */
export type ValueShape = "plain" | "rich";

/** Prototypes of the built-in types V8's serializer copies with their type. */
const RICH_PROTOTYPES: ReadonlySet<unknown> = new Set<unknown>([
  Map.prototype,
  Set.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Buffer.prototype,
  Number.prototype,
  String.prototype,
  Boolean.prototype,
  BigInt.prototype,
  Error.prototype,
  EvalError.prototype,
  RangeError.prototype,
  ReferenceError.prototype,
  SyntaxError.prototype,
  TypeError.prototype,
  URIError.prototype,
  ...[Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((t) => t.prototype),
]);

/** Built-in types structuredClone refuses (their contents cannot be read, or are shared memory). */
function isRefusedType(object: object): boolean {
  return object instanceof WeakMap || object instanceof WeakSet || object instanceof WeakRef || object instanceof Promise || object instanceof SharedArrayBuffer;
}

/** Whether `object`, whose prototype is not a known one, is an instance of a subclass of a built-in type V8's serializer copies as that type. */
function isBuiltInSubclass(object: object): boolean {
  return (
    Array.isArray(object) ||
    object instanceof Map ||
    object instanceof Set ||
    object instanceof Date ||
    object instanceof RegExp ||
    object instanceof Error ||
    object instanceof ArrayBuffer ||
    ArrayBuffer.isView(object) ||
    object instanceof Number ||
    object instanceof String ||
    object instanceof Boolean
  );
}

/**
 * Whether `object` is an ordinary object of a class: one V8's serializer writes as a plain object of
 * its own enumerable properties. Built-in objects it cannot copy (iterators, Intl formatters, …)
 * carry a Symbol.toStringTag, and are left to V8's serializer to refuse.
 */
function isOrdinaryInstance(object: object): boolean {
  return Object.prototype.toString.call(object) === "[object Object]";
}

/**
 * Objects met in the value being inspected (one reached twice makes the value rich): the first
 * SEEN_LIST_LENGTH in a list (most values hold a few objects, and scanning a few is cheaper than
 * hashing them), then all of them in a Set as well. The list keeps its backing store between
 * inspections (emptying an array by its length frees it, and the next push allocates again).
 */
const SEEN_LIST_LENGTH = 16;
const seenList: (object | undefined)[] = new Array<object | undefined>(SEEN_LIST_LENGTH).fill(undefined);
let seenCount = 0;
let seenSet: Set<object> | undefined;
/** Whether the value being inspected holds an object written as its toJSON() (see withToJSON). */
let holdsToJSON = false;

/** Whether `object` was met already in this inspection; records it if not. */
function metBefore(object: object): boolean {
  if (seenSet !== undefined) {
    if (seenSet.has(object)) return true;
    seenSet.add(object);
    return false;
  }
  for (let i = 0; i < seenCount; i++) if (seenList[i] === object) return true;
  if (seenCount < SEEN_LIST_LENGTH) seenList[seenCount++] = object;
  else (seenSet = new Set(seenList as object[])).add(object);
  return false;
}

/** Forgets the objects met, so that the list holds no value once its inspection ends. */
function forgetSeen(): void {
  for (let i = 0; i < seenCount; i++) seenList[i] = undefined;
  seenCount = 0;
  seenSet = undefined;
}

function verdictOf(value: unknown, depth: number): Verdict {
  switch (typeof value) {
    case "number":
      return value === 0 && 1 / value < 0 ? RICH : PLAIN;
    case "string":
      return value.isWellFormed() ? PLAIN : RICH;
    case "boolean":
    case "undefined":
      return PLAIN;
    case "bigint":
      return RICH;
    case "object":
      return value === null ? PLAIN : objectVerdict(value, depth);
    default:
      return REFUSED;
  }
}

function objectVerdict(object: object, depth: number): Verdict {
  if (depth > MAX_INSPECTED_DEPTH) return RICH;
  if (metBefore(object)) return RICH;
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto === Object.prototype || proto === null) return plainObjectVerdict(object as Record<string, unknown>, depth + 1);
  if (proto === Array.prototype) return arrayVerdict(object as unknown[], depth + 1);
  return otherObjectVerdict(object, proto, depth + 1);
}

function plainObjectVerdict(object: Record<string, unknown>, next: number): Verdict {
  let verdict: Verdict = PLAIN;
  for (const key in object) {
    if (key === "__proto__") verdict = RICH;
    verdict = joined(verdict, object[key], next);
    if (verdict === REFUSED) return REFUSED;
  }
  return verdict;
}

function arrayVerdict(array: unknown[], next: number): Verdict {
  let verdict: Verdict = PLAIN;
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    verdict = element === undefined && !(i in array) ? RICH : joined(verdict, element, next);
    if (verdict === REFUSED) return REFUSED;
  }
  return verdict;
}

/** The worse of `verdict` and the verdict of `value`; numbers and strings, the most common, are judged without a call of verdictOf. */
function joined(verdict: Verdict, value: unknown, next: number): Verdict {
  let v: Verdict;
  if (typeof value === "number") v = value === 0 && 1 / value < 0 ? RICH : PLAIN;
  else if (typeof value === "string") v = value.isWellFormed() ? PLAIN : RICH;
  else v = verdictOf(value, next);
  return v > verdict ? v : verdict;
}

function otherObjectVerdict(object: object, proto: unknown, next: number): Verdict {
  if (proto === Date.prototype) return PLAIN;
  if (!RICH_PROTOTYPES.has(proto)) {
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      holdsToJSON = true;
      return verdictOf(toJSON.call(object, ""), next);
    }
    if (isRefusedType(object)) return REFUSED;
    if (!isBuiltInSubclass(object)) return instanceVerdict(object, toJSON === undefined && isOrdinaryInstance(object) ? PLAIN : RICH, next);
    if (Array.isArray(object)) {
      const array = object as unknown[];
      for (let i = 0; i < array.length; i++) if (verdictOf(array[i], next) === REFUSED) return REFUSED;
      return RICH;
    }
  }
  if (object instanceof Map) {
    for (const [k, v] of object as Map<unknown, unknown>) if (verdictOf(k, next) === REFUSED || verdictOf(v, next) === REFUSED) return REFUSED;
  } else if (object instanceof Set) {
    for (const element of object as Set<unknown>) if (verdictOf(element, next) === REFUSED) return REFUSED;
  }
  return RICH;
}

/**
 * An instance of a class, written as its own enumerable properties: plain when they are (MessagePack
 * writes such an object as a map of them, as it does a plain object), unless `verdict` is RICH
 * already (a non-function `toJSON` field, which MessagePack would call; a built-in object V8 must judge).
 */
function instanceVerdict(object: object, verdict: Verdict, next: number): Verdict {
  for (const key of Object.keys(object)) {
    if (key === "__proto__") verdict = RICH;
    const v = verdictOf((object as Record<string, unknown>)[key], next);
    if (v > verdict) verdict = v;
    if (verdict === REFUSED) return REFUSED;
  }
  return verdict;
}

/**
 * Whether `value` is plain or rich (see the header); throws WEIR_ERR_VALUE_NOT_SERIALIZABLE when
 * it cannot be written. `where` names the value for that error ("value state 'seen' under key
 * 'a'") and is only called then.
 */
export function inspectValue(value: unknown, where: () => string): ValueShape {
  holdsToJSON = false;
  if (typeof value !== "object" || value === null) {
    const verdict = verdictOf(value, 0);
    if (verdict === REFUSED) throw notSerializable(where(), "", value);
    return verdict === PLAIN ? "plain" : "rich";
  }
  let verdict: Verdict;
  try {
    verdict = objectVerdict(value, 0);
  } finally {
    forgetSeen();
  }
  if (verdict === REFUSED) throw refusal(value, where());
  return verdict === PLAIN ? "plain" : "rich";
}

/**
 * `value` with each object of a class with `toJSON` replaced by what it returns (MessagePack does
 * this itself; V8's serializer does not), sharing and cycles kept; `value` itself when it holds none.
 */
function withToJSON(value: unknown): unknown {
  if (!holdsToJSON) return value;
  const copies = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null) return v;
    const known = copies.get(v);
    if (known !== undefined || copies.has(v)) return known;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = {};
      copies.set(v, out);
      for (const key in v) Object.defineProperty(out, key, { value: copy((v as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
      return out;
    }
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      copies.set(v, out);
      for (let i = 0; i < v.length; i++) if (i in v) out[i] = copy(v[i]);
      return out;
    }
    if (v instanceof Map) {
      const out = new Map();
      copies.set(v, out);
      for (const [k, e] of v) out.set(copy(k), copy(e));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      copies.set(v, out);
      for (const e of v) out.add(copy(e));
      return out;
    }
    if (proto === Date.prototype || RICH_PROTOTYPES.has(proto)) return v;
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const replaced = copy(toJSON.call(v, ""));
      copies.set(v, replaced);
      return replaced;
    }
    if (isBuiltInSubclass(v) || !isOrdinaryInstance(v)) return v;
    // An ordinary class instance, which V8 would write as a plain object of its own fields.
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    for (const key of Object.keys(v)) Object.defineProperty(out, key, { value: copy((v as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return copy(value);
}

/** The error for the first part of `root` that cannot be written, found by a second, path-keeping walk. */
function refusal(root: object, where: string): WeirError {
  const visited = new Set<object>();
  const find = (value: unknown, path: string, depth: number): WeirError | undefined => {
    if (typeof value === "function" || typeof value === "symbol") return notSerializable(where, path, value);
    if (typeof value !== "object" || value === null || depth > MAX_INSPECTED_DEPTH || visited.has(value)) return undefined;
    visited.add(value);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null && proto !== Array.prototype && proto !== Date.prototype && !RICH_PROTOTYPES.has(proto)) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") return find(toJSON.call(value, ""), `${path}.toJSON()`, depth + 1);
      if (isRefusedType(value)) return notSerializable(where, path, value);
    }
    if (value instanceof Map) {
      let i = 0;
      for (const [k, v] of value as Map<unknown, unknown>) {
        const found = find(k, `${path}.keys()[${i}]`, depth + 1) ?? find(v, `${path}.get(${describeKey(k)})`, depth + 1);
        if (found !== undefined) return found;
        i++;
      }
      return undefined;
    }
    if (value instanceof Set) {
      let i = 0;
      for (const element of value as Set<unknown>) {
        const found = find(element, `${path}.values()[${i++}]`, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = find(value[i], `${path}[${i}]`, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const key of Object.keys(value)) {
      const found = find((value as Record<string, unknown>)[key], /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return find(root, "", 0) ?? new WeirError("WEIR_ERR_VALUE_NOT_SERIALIZABLE", `${where} cannot be written: it holds something structuredClone cannot copy`);
}

function describeKey(key: unknown): string {
  return typeof key === "string" ? JSON.stringify(key) : typeof key === "number" || typeof key === "boolean" || typeof key === "bigint" ? String(key) : "…";
}

function notSerializable(where: string, path: string, value: unknown): WeirError {
  const what =
    typeof value === "function"
      ? `a function${value.name === "" ? "" : ` (${value.name})`}`
      : typeof value === "symbol"
        ? `a symbol (${value.toString()})`
        : `an instance of ${describeClass(value)}`;
  const at = path === "" ? "is" : `holds at value${path}`;
  return new WeirError(
    "WEIR_ERR_VALUE_NOT_SERIALIZABLE",
    `${where} ${at} ${what}, which cannot be written to a checkpoint or sent to another thread: ` +
      "store and emit plain objects, arrays, Map, Set, Date, bigint, typed arrays and other values structuredClone copies",
  );
}

function describeClass(value: unknown): string {
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor;
  return typeof ctor?.name === "string" && ctor.name !== "" ? `class ${ctor.name}` : "a class";
}

/**
 * V8's serializer, for the value inspected last, which was rich. A function below MAX_INSPECTED_DEPTH,
 * or a built-in object V8 cannot copy, surfaces here as V8's DataCloneError.
 */
export function serializeRich(value: unknown, where: () => string): Uint8Array {
  try {
    return serialize(withToJSON(value));
  } catch (e) {
    throw new WeirError("WEIR_ERR_VALUE_NOT_SERIALIZABLE", `${where()} cannot be written to a checkpoint or sent to another thread: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Reads what serializeRich wrote; `where` names the bytes (a file) for WEIR_ERR_STATE_CORRUPT. */
export function deserializeRich(bytes: Uint8Array, where: string): unknown {
  try {
    return deserialize(bytes);
  } catch (e) {
    throw corrupt(where, e);
  }
}

/**
 * A value as it is stored among other slots of a MessagePack structure: itself when plain, else
 * its V8 bytes (see the header: a plain value never is a Uint8Array).
 */
export function toSlot(value: unknown, where: () => string): unknown {
  return inspectValue(value, where) === "plain" ? value : serializeRich(value, where);
}

/** Reads a slot written by toSlot (after MessagePack decoded it: plain values are new objects already). */
export function fromSlot(slot: unknown, where: string): unknown {
  return slot instanceof Uint8Array ? deserializeRich(slot, where) : slot;
}

/** MessagePack as plain values need it: objects as maps, no shared-structure records, no reference tracking. */
export const plainPackr = new Packr({ moreTypes: true, useRecords: false });

const PLAIN_TAG = 0x50; // "P"
const RICH_TAG = 0x56; // "V"

/** One value in bytes of its own: a tag byte, then MessagePack or V8's serialization. */
export function encodeValue(value: unknown, where: () => string): Uint8Array {
  const shape = inspectValue(value, where);
  const body = shape === "plain" ? plainPackr.pack(value) : serializeRich(value, where);
  const out = new Uint8Array(body.length + 1);
  out[0] = shape === "plain" ? PLAIN_TAG : RICH_TAG;
  out.set(body, 1);
  return out;
}

/**
 * Whether `value` is a 32-bit integer other than -0 (which encodeValue keeps as rich): what
 * encodeInt32Value writes, and what its bytes decode back to as it is.
 */
export function isInt32Value(value: unknown): value is number {
  return typeof value === "number" && (value | 0) === value && !Object.is(value, -0);
}

/**
 * encodeValue's bytes for a 32-bit integer (see isInt32Value), written directly: the plain tag, then the
 * integer in the smallest MessagePack form, as plainPackr writes it (fixint below 128 and from -32,
 * then uint8/16/32 for the positive, int8/16/32 for the negative).
 */
export function encodeInt32Value(n: number): Buffer {
  let out: Buffer;
  if (n >= 0) {
    if (n < 0x80) {
      out = Buffer.allocUnsafe(2);
      out[1] = n;
    } else if (n < 0x100) {
      out = Buffer.allocUnsafe(3);
      out[1] = 0xcc;
      out[2] = n;
    } else if (n < 0x10000) {
      out = Buffer.allocUnsafe(4);
      out[1] = 0xcd;
      out.writeUInt16BE(n, 2);
    } else {
      out = Buffer.allocUnsafe(6);
      out[1] = 0xce;
      out.writeUInt32BE(n, 2);
    }
  } else if (n >= -0x20) {
    out = Buffer.allocUnsafe(2);
    out[1] = 0x100 + n;
  } else if (n >= -0x80) {
    out = Buffer.allocUnsafe(3);
    out[1] = 0xd0;
    out.writeInt8(n, 2);
  } else if (n >= -0x8000) {
    out = Buffer.allocUnsafe(4);
    out[1] = 0xd1;
    out.writeInt16BE(n, 2);
  } else {
    out = Buffer.allocUnsafe(6);
    out[1] = 0xd2;
    out.writeInt32BE(n, 2);
  }
  out[0] = PLAIN_TAG;
  return out;
}

/**
 * Where the MessagePack of a value that encodeValue wrote as plain starts in `bytes` (after its
 * tag); that MessagePack is the form a plain value takes as a slot (see toSlot). -1 for a rich value.
 */
export function plainBodyStart(bytes: Uint8Array): number {
  return bytes[0] === PLAIN_TAG ? 1 : -1;
}

/** Reads what encodeValue wrote; `where` names the bytes (a file) for WEIR_ERR_STATE_CORRUPT. */
export function decodeValue(bytes: Uint8Array, where: string): unknown {
  const tag = bytes[0];
  if (tag === RICH_TAG) return deserializeRich(bytes.subarray(1), where);
  if (tag !== PLAIN_TAG) throw corrupt(where, `unknown value tag ${tag === undefined ? "(no bytes)" : `0x${tag.toString(16)}`}`);
  try {
    return plainPackr.unpack(bytes.subarray(1));
  } catch (e) {
    throw corrupt(where, e);
  }
}

function corrupt(where: string, cause: unknown): WeirError {
  return new WeirError("WEIR_ERR_STATE_CORRUPT", `${where} cannot be decoded: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}
