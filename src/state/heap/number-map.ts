/**
 * A key group's entries when every key and value is a number (counts, sums by numeric key): a
 * hash table in typed arrays with the part of Map's interface a StateTable uses. A restore loads
 * a numeric section (see heap-snapshot.ts) into it with one pass over the decoded pairs and no
 * object per entry, where a Map's `set` per entry (and its rehashing while it grows) was most of
 * a restore's cost; the collector neither copies nor traces it while it lives.
 *
 * Pairs are 32-bit integers while every number is one (and no value is -0), else float64: the
 * first number that is not widens the table. Keys compare as a Map's do (SameValueZero: -0 is
 * the key 0), except NaN, which it does not hold: `holds` says which entries it can take, and the
 * table owning it moves the group into a Map before any other (see StateTable.put).
 *
 * Open addressing with linear probing, at most three quarters full counting removed slots
 * (tombstones, dropped when the table is rebuilt). Iteration (forEach, keys, entries) is safe
 * while the table changes: an entry removed before it is reached is not visited, a value changed
 * before it is reached is visited as changed; an entry added meanwhile may or may not be.
 * Iteration order is the slots' order, not insertion order.
 */
import type { NormalizedKey } from "../../core/key-groups.ts";
import { hashNumber } from "./number-key-slots.ts";

const EMPTY = 0;
const USED = 1;
const REMOVED = 2;
const MIN_CAPACITY = 16;

/** The part of Map's interface a table keeps a key group's entries through (see StateTable). */
export interface EntryMap<V> {
  readonly size: number;
  get(key: NormalizedKey): V | undefined;
  has(key: NormalizedKey): boolean;
  set(key: NormalizedKey, value: V): unknown;
  delete(key: NormalizedKey): boolean;
  forEach(visit: (value: V, key: NormalizedKey) => void): void;
  keys(): IterableIterator<NormalizedKey>;
  entries(): IterableIterator<[NormalizedKey, V]>;
}

const isInt32 = (n: number): boolean => (n | 0) === n;

/** The smallest power of two with room for `entries` at most `1 / 0.6` times over. */
function capacityFor(entries: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity * 0.6 < entries) capacity *= 2;
  return capacity;
}

/**
 * Puts 32-bit integer pairs into the arrays of a table with room for all of them (no removed
 * slots); the number of keys added. Kept apart, on typed arrays of one kind, so that it compiles
 * to a tight loop: loading is most of a restore's cost.
 */
function loadInts(slots: Int32Array, states: Uint8Array, mask: number, pairs: Int32Array): number {
  let added = 0;
  for (let p = 0; p + 1 < pairs.length; p += 2) {
    const key = pairs[p]!;
    let i = hashNumber(key) & mask;
    while (states[i] !== EMPTY && slots[2 * i] !== key) i = (i + 1) & mask;
    if (states[i] === EMPTY) {
      states[i] = USED;
      slots[2 * i] = key;
      added++;
    }
    slots[2 * i + 1] = pairs[p + 1]!;
  }
  return added;
}

export class NumberMap implements EntryMap<number> {
  /** Slot i's key at 2i, its value at 2i + 1: both in one cache line. */
  private slots: Int32Array | Float64Array;
  private states: Uint8Array;
  private mask: number;
  /** Slots used or removed. */
  private taken = 0;
  private wide = false;
  size = 0;

  /** Whether the table can hold the entry: a number key other than NaN, a number value. */
  static holds(key: NormalizedKey, value: unknown): boolean {
    return typeof key === "number" && typeof value === "number" && key === key;
  }

  /**
   * The pairs of `bodies` ([key, value, key, value, ...], as numeric sections decode), later
   * pairs of a key replacing earlier ones as Map.set would; undefined when some key is NaN.
   */
  static fromPairs(bodies: readonly (Int32Array | Float64Array)[]): NumberMap | undefined {
    let pairs = 0;
    let wide = false;
    for (const body of bodies) {
      pairs += body.length >>> 1;
      if (body instanceof Float64Array) wide = true;
    }
    const map = new NumberMap(capacityFor(pairs), wide);
    for (const body of bodies) {
      if (body instanceof Int32Array && !map.wide) {
        const added = loadInts(map.slots as Int32Array, map.states, map.mask, body);
        map.size += added;
        map.taken += added;
        continue;
      }
      if (body instanceof Int32Array) {
        for (let i = 0; i + 1 < body.length; i += 2) map.put(body[i]!, body[i + 1]!);
        continue;
      }
      for (let i = 0; i + 1 < body.length; i += 2) {
        const key = body[i]!;
        if (key !== key) return undefined;
        map.put(key, body[i + 1]!);
      }
    }
    return map;
  }

  constructor(capacity = MIN_CAPACITY, wide = false) {
    this.slots = wide ? new Float64Array(2 * capacity) : new Int32Array(2 * capacity);
    this.states = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.wide = wide;
  }

  get(key: NormalizedKey): number | undefined {
    const slot = this.slotOf(key);
    return slot < 0 ? undefined : this.slots[2 * slot + 1];
  }

  has(key: NormalizedKey): boolean {
    return this.slotOf(key) >= 0;
  }

  /** Stores the entry, which `NumberMap.holds` must accept. */
  set(key: NormalizedKey, value: number): this {
    this.put(key as number, value);
    return this;
  }

  delete(key: NormalizedKey): boolean {
    const slot = this.slotOf(key);
    if (slot < 0) return false;
    this.states[slot] = REMOVED;
    this.size--;
    return true;
  }

  forEach(visit: (value: number, key: NormalizedKey) => void): void {
    const { slots, states } = this;
    for (let i = 0; i < states.length; i++) {
      if (states[i] !== USED) continue;
      if (this.states === states) visit(slots[2 * i + 1]!, slots[2 * i]!);
      else this.visitMoved(slots[2 * i]!, visit);
    }
  }

  *entries(): Generator<[NormalizedKey, number], undefined, unknown> {
    const { slots, states } = this;
    for (let i = 0; i < states.length; i++) {
      if (states[i] !== USED) continue;
      const key = slots[2 * i]!;
      if (this.states === states) yield [key, slots[2 * i + 1]!];
      else {
        // Rebuilt since the iteration began: the old arrays say which keys were there, not their values now.
        const value = this.get(key);
        if (value !== undefined) yield [key, value];
      }
    }
    return undefined;
  }

  *keys(): Generator<NormalizedKey, undefined, unknown> {
    for (const [key] of this.entries()) yield key;
    return undefined;
  }

  [Symbol.iterator](): Generator<[NormalizedKey, number], undefined, unknown> {
    return this.entries();
  }

  private visitMoved(key: number, visit: (value: number, key: NormalizedKey) => void): void {
    const value = this.get(key);
    if (value !== undefined) visit(value, key);
  }

  private slotOf(key: NormalizedKey): number {
    if (typeof key !== "number" || key !== key || (!this.wide && !isInt32(key))) return -1;
    const { slots, states, mask } = this;
    for (let i = hashNumber(key) & mask; ; i = (i + 1) & mask) {
      const state = states[i];
      if (state === EMPTY) return -1;
      if (state === USED && slots[2 * i] === key) return i;
    }
  }

  private put(key: number, value: number): void {
    if (!this.wide && (!isInt32(key) || !isInt32(value) || Object.is(value, -0))) this.rebuild(this.states.length, true);
    const stored = key === 0 ? 0 : key;
    const { slots, states, mask } = this;
    let free = -1;
    let i = hashNumber(stored) & mask;
    for (; ; i = (i + 1) & mask) {
      const state = states[i];
      if (state === EMPTY) break;
      if (state === REMOVED) {
        if (free < 0) free = i;
      } else if (slots[2 * i] === stored) {
        slots[2 * i + 1] = value;
        return;
      }
    }
    if (free >= 0) {
      this.place(free, stored, value);
      this.size++;
      return;
    }
    if ((this.taken + 1) * 4 > states.length * 3) {
      this.rebuild(capacityFor(this.size + 1), this.wide);
      this.put(stored, value);
      return;
    }
    this.place(i, stored, value);
    this.taken++;
    this.size++;
  }

  private place(slot: number, key: number, value: number): void {
    this.slots[2 * slot] = key;
    this.slots[2 * slot + 1] = value;
    this.states[slot] = USED;
  }

  /** Moves every entry into new arrays of `capacity` slots, without the removed ones. */
  private rebuild(capacity: number, wide: boolean): void {
    const { slots, states } = this;
    this.slots = wide ? new Float64Array(2 * capacity) : new Int32Array(2 * capacity);
    this.states = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.wide = wide;
    this.taken = this.size;
    const mask = this.mask;
    for (let from = 0; from < states.length; from++) {
      if (states[from] !== USED) continue;
      const key = slots[2 * from]!;
      let i = hashNumber(key) & mask;
      while (this.states[i] !== EMPTY) i = (i + 1) & mask;
      this.place(i, key, slots[2 * from + 1]!);
    }
  }
}
