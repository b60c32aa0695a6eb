/**
 * A hash table from number keys to a tag and a number, kept in typed arrays: the record of a
 * pre-image for number keys (see PreImage). A JavaScript Map holding the same entries is a heap
 * object the garbage collector copies and traces while it lives, and whose growth past a few
 * thousand entries rehashes them in one step of over a millisecond; here growth copies typed
 * arrays, and nothing is traced.
 *
 * Keys compare as a Map's do (SameValueZero), except NaN, which callers keep elsewhere: -0 is
 * stored as 0. Tag 0 is reserved. Open addressing with linear probing, at most half full; entries
 * are removed all at once (`clear`), which keeps the arrays for reuse.
 *
 * Layout, for the first record of a key under a live snapshot (the cost an update pays): a key and
 * its payload sit side by side in one array, an empty slot's key being NaN, so that finding a key,
 * or the slot to add it in, and writing its payload touch one cache line of it (the tags, read only
 * when the snapshot reads its records, live apart). `insertionSlot` and `fill` add a key with one
 * probe where `has` and `add` take two.
 */

import { internalError } from "../../core/errors.ts";

const INITIAL_CAPACITY = 64;

/** For hashing a key that is not a 32-bit integer by its bits. */
const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/**
 * A well-mixed 32-bit hash of a number key (not NaN), for the slot of a key in a table; 0 and -0
 * hash alike. It must not be murmur3's finalizer, which picks an integer key's key group
 * (`assignToKeyGroup`): a table holds one key group, whose keys all share that hash modulo the
 * max parallelism, so with the same function their low bits — the slot — would be alike too,
 * leaving one slot in 128 as a starting point and probes running long (five times the CPU of a
 * restore's load was measured). This finalizer's constants and shifts are another's (Wellons'
 * "lowbias32"), so its low bits are independent of the key group's.
 */
export function hashNumber(key: number): number {
  let h: number;
  if ((key | 0) === key) h = key;
  else {
    bits[0] = key;
    h = words[0]! ^ Math.imul(words[1]!, 0x27d4eb2d);
  }
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

export class NumberKeySlots {
  /** Per slot, its key at 2·slot (NaN when empty) and its payload at 2·slot + 1. */
  private pairs: Float64Array;
  private tags: Uint8Array;
  private mask: number;
  size = 0;

  /** Room for `expectedKeys` entries before the table grows (growing rehashes every entry in one step). */
  constructor(expectedKeys = 0) {
    let capacity = INITIAL_CAPACITY;
    while (capacity < 2 * expectedKeys) capacity *= 2;
    this.pairs = new Float64Array(2 * capacity).fill(Number.NaN);
    this.tags = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  /** Slots in the table: it holds up to half as many entries before it grows. */
  get capacity(): number {
    return this.tags.length;
  }

  /** Whether `key` (not NaN) has an entry. */
  has(key: number): boolean {
    return this.slotOf(key) >= 0;
  }

  /** The slot holding `key` (not NaN), or -1 when it has no entry; read it with `tagAt` and `payloadAt`. */
  slotOf(key: number): number {
    const { pairs, mask } = this;
    for (let i = hashNumber(key) & mask; ; i = (i + 1) & mask) {
      const k = pairs[2 * i]!;
      if (k === key) return i;
      if (k !== k) return -1;
    }
  }

  tagAt(slot: number): number {
    return this.tags[slot]!;
  }

  payloadAt(slot: number): number {
    return this.pairs[2 * slot + 1]!;
  }

  /**
   * Where `key` (not NaN) would be added: an empty slot, for `fill`, which must come before any
   * other change; -1 when the key has an entry. Makes room first, so that the slot stays valid.
   */
  insertionSlot(key: number): number {
    if ((this.size + 1) * 2 > this.tags.length) this.grow();
    const { pairs, mask } = this;
    for (let i = hashNumber(key) & mask; ; i = (i + 1) & mask) {
      const k = pairs[2 * i]!;
      if (k === key) return -1;
      if (k !== k) return i;
    }
  }

  /** Adds an entry for `key` in the slot `insertionSlot(key)` just gave; `tag` must not be 0. */
  fill(slot: number, key: number, tag: number, payload: number): void {
    this.pairs[2 * slot] = key === 0 ? 0 : key;
    this.pairs[2 * slot + 1] = payload;
    this.tags[slot] = tag;
    this.size++;
  }

  /** Adds an entry for `key` (not NaN), which must have none; `tag` must not be 0. */
  add(key: number, tag: number, payload: number): void {
    const slot = this.insertionSlot(key);
    if (slot < 0) throw internalError(`key ${key} was added twice to a pre-image`);
    this.fill(slot, key, tag, payload);
  }

  /** Removes every entry, keeping the capacity. */
  clear(): void {
    if (this.size === 0) return;
    this.pairs.fill(Number.NaN);
    this.size = 0;
  }

  /** Calls `visit` for each entry, until a visit returns false. */
  forEach(visit: (key: number, tag: number, payload: number) => boolean | void): void {
    const { pairs, tags } = this;
    for (let i = 0; i < tags.length; i++) {
      const key = pairs[2 * i]!;
      if (key === key && visit(key, tags[i]!, pairs[2 * i + 1]!) === false) return;
    }
  }

  private grow(): void {
    const { pairs, tags } = this;
    const capacity = tags.length * 2;
    this.pairs = new Float64Array(2 * capacity).fill(Number.NaN);
    this.tags = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < tags.length; i++) {
      const key = pairs[2 * i]!;
      if (key === key) this.fill(this.insertionSlot(key), key, tags[i]!, pairs[2 * i + 1]!);
    }
  }
}
