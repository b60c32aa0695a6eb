/**
 * Keys live in key groups: `keyGroup = mix(hash(key)) mod maxParallelism`. Each subtask of a keyed
 * operator owns one contiguous range of key groups, so restoring with another parallelism only
 * reassigns ranges. The hash is defined here and nowhere else; it is stable across runs, threads
 * and processes (it never depends on object identity or insertion order).
 */
import { invalidArgument } from "./errors.ts";
import { fmix32 } from "./mix.ts";
import { keyGroup as asKeyGroup, type KeyGroup } from "./ids.ts";

/** Keys are primitives, or arrays / plain objects of keys (compared by their canonical form). */
export type Key = string | number | boolean | bigint | null | undefined | readonly unknown[] | object;

/** A key as stored in state maps: primitives as they are, composite keys as their canonical string. */
export type NormalizedKey = string | number | boolean | bigint | null | undefined;

export const DEFAULT_MAX_PARALLELISM = 128;
export const UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

const f64 = new Float64Array(1);
/** The seed of a composite key's hash (of its canonical text). */
const COMPOSITE_SEED = 0x1b873593;
const i32 = new Int32Array(f64.buffer);

function hashString(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h ^ s.length;
}

/** Whether `value` is an array of numbers, strings, booleans and nulls, whose canonical text is its plain JSON. */
function isFlatArray(value: unknown): value is readonly unknown[] {
  if (!Array.isArray(value)) return false;
  for (const v of value as unknown[]) {
    const type = typeof v;
    if (type !== "number" && type !== "string" && type !== "boolean" && v !== null) return false;
  }
  return true;
}

/**
 * Where an object that is often used as a key or namespace (a window) gives its canonical text
 * itself, faster than the general way: `canonicalKey` returns it as it is, so it must be the text
 * the general way would write.
 */
export const CANONICAL_TEXT: unique symbol = Symbol("weir.canonicalText");

/**
 * Where an object that is often used as a key or namespace (a window) gives its normalized form
 * itself: `normalizeKey` returns it as it is, so it must be the string the general way would give
 * (COMPOSITE_MARK followed by the canonical text). Giving the same string object for equal keys,
 * as windows do, lets maps find it by its cached hash instead of hashing a new string each time.
 */
export const NORMALIZED_KEY: unique symbol = Symbol("weir.normalizedKey");

/**
 * Canonical text of a composite key: object properties sorted, so `{a,b}` and `{b,a}` agree. A flat
 * array (also as an object's `toJSON()`, as windows give it) takes the fast way: plain JSON is the
 * same text, without a replacer call per value.
 */
export function canonicalKey(key: unknown): string {
  const cached = (key as { [CANONICAL_TEXT]?: unknown } | null)?.[CANONICAL_TEXT];
  if (typeof cached === "string") return cached;
  if (isFlatArray(key)) return JSON.stringify(key);
  const toJSON = (key as { toJSON?: unknown } | null)?.toJSON;
  if (typeof toJSON === "function") {
    const plain: unknown = toJSON.call(key, "");
    if (isFlatArray(plain)) return JSON.stringify(plain);
  }
  return JSON.stringify(key, (_k, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      // No prototype, so a "__proto__" field is copied as data like any other.
      const sorted = Object.create(null) as Record<string, unknown>;
      for (const name of Object.keys(v).sort()) sorted[name] = (v as Record<string, unknown>)[name];
      return sorted;
    }
    return v;
  });
}


/**
 * Composite keys are stored as their canonical text behind a marker character that JSON never
 * starts with; a string key that itself starts with the marker gets a second one, so no string
 * key and no composite key ever share a stored form.
 */
export const COMPOSITE_MARK = "\u0001";

export function normalizeKey(key: unknown): NormalizedKey {
  if (key === null || key === undefined) return key;
  switch (typeof key) {
    case "string":
      return key.charCodeAt(0) === 1 ? COMPOSITE_MARK + key : key;
    case "number":
    case "boolean":
    case "bigint":
      return key;
    default: {
      const given = (key as { [NORMALIZED_KEY]?: unknown })[NORMALIZED_KEY];
      return typeof given === "string" ? given : COMPOSITE_MARK + canonicalKey(key);
    }
  }
}



/**
 * A key as `normalizeKey` stored it, given back: primitives and strings as they were; a composite
 * key as the value of its canonical JSON (plain objects and arrays, bigints inside as "<n>n"
 * strings), which normalizes to the same stored form and so reaches the same state.
 */
export function denormalizeKey(normalized: NormalizedKey): unknown {
  if (typeof normalized !== "string" || normalized.charCodeAt(0) !== 1) return normalized;
  return normalized.charCodeAt(1) === 1 ? normalized.slice(1) : (JSON.parse(normalized.slice(1)) as unknown);
}

/** A 32-bit hash of a key, equal for keys that normalize to the same value. */
export function hashKey(key: unknown): number {
  switch (typeof key) {
    case "number":
      if (Number.isInteger(key) && key >= -0x80000000 && key <= 0x7fffffff) return key | 0;
      f64[0] = key;
      return (i32[0]! ^ Math.imul(i32[1]!, 31)) | 0;
    case "string":
      return hashString(key, 0x9747b28c);
    case "boolean":
      return key ? 1231 : 1237;
    case "bigint":
      return hashString(key.toString(), 0x3c6ef372);
    case "undefined":
      return 0x2e1a;
    default:
      return key === null ? 0 : hashString(canonicalKey(key), COMPOSITE_SEED);
  }
}

export function assignToKeyGroup(key: unknown, maxParallelism: number): KeyGroup {
  return keyGroupOfHash(hashKey(key), maxParallelism);
}

function keyGroupOfHash(hash: number, maxParallelism: number): KeyGroup {
  // h mod m, split as h = hi·2^16 + lo so every operand stays below 2^31 (m ≤ 2^15): V8 then uses
  // an integer modulo instead of a floating-point one, which made this a third of setCurrentKey's cost.
  const h = fmix32(hash);
  return asKeyGroup(((h >>> 16) * (0x10000 % maxParallelism) + (h & 0xffff)) % maxParallelism);
}

/**
 * The key group of the key `normalizeKey` stored as `normalized`: the same as the original key's,
 * for any max parallelism. Restores that change the max parallelism re-bucket stored entries by it;
 * it hashes the stored form directly, since a composite key given back by `denormalizeKey` may
 * not hash as the original did (a Date comes back as its text).
 */
export function keyGroupOfNormalizedKey(normalized: NormalizedKey, maxParallelism: number): KeyGroup {
  if (typeof normalized === "string" && normalized.charCodeAt(0) === 1) {
    const hash = normalized.charCodeAt(1) === 1 ? hashKey(normalized.slice(1)) : hashString(normalized.slice(1), COMPOSITE_SEED);
    return keyGroupOfHash(hash, maxParallelism);
  }
  return keyGroupOfHash(hashKey(normalized), maxParallelism);
}

/** The subtask that owns a key group: ranges are contiguous and differ in size by at most one. */
export function subtaskForKeyGroup(keyGroup: number, parallelism: number, maxParallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** An inclusive range of key groups. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

export function keyGroupRangeForSubtask(subtask: number, parallelism: number, maxParallelism: number): KeyGroupRange {
  if (parallelism < 1 || parallelism > maxParallelism) {
    throw invalidArgument(`parallelism ${parallelism} must be between 1 and max parallelism ${maxParallelism}`);
  }
  if (subtask < 0 || subtask >= parallelism) throw invalidArgument(`subtask ${subtask} is not below parallelism ${parallelism}`);
  const start = Math.ceil((subtask * maxParallelism) / parallelism);
  const end = Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1;
  return { start, end };
}

export function keyGroupRangeSize(range: KeyGroupRange): number {
  return range.end - range.start + 1;
}

export function checkMaxParallelism(maxParallelism: number): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw invalidArgument(`max parallelism must be an integer between 1 and ${UPPER_BOUND_MAX_PARALLELISM}, got ${maxParallelism}`);
  }
}
