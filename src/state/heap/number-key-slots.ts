/**
 * A hash table from number keys to a tag and a number, kept in typed arrays: the record of a
 * pre-image for number keys (see PreImage). A JavaScript Map holding the same entries is a heap
 * object the garbage collector copies and traces while it lives, and whose growth past a few
 * thousand entries rehashes them in one step of over a millisecond; here growth copies typed
 * arrays, and nothing is traced.
 *
 * Keys compare as a Map's do (SameValueZero), except NaN, which callers keep elsewhere: -0 is
 * stored as 0. Tag 0 is reserved (an empty slot). Open addressing with linear probing, at most half
 * full; entries are removed all at once (`clear`), which keeps the arrays for reuse.
 */

const INITIAL_CAPACITY = 64;
const EMPTY = 0;

/** For hashing a key that is not a 32-bit integer by its bits. */
const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/** A well-mixed 32-bit hash of a number key (not NaN); 0 and -0 hash alike. */
export function hashNumber(key: number): number {
  let h: number;
  if ((key | 0) === key) h = key;
  else {
    bits[0] = key;
    h = words[0]! ^ Math.imul(words[1]!, 0x27d4eb2d);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class NumberKeySlots {
  private keys = new Float64Array(INITIAL_CAPACITY);
  private tags = new Uint8Array(INITIAL_CAPACITY);
  private payloads = new Float64Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  size = 0;

  /** Whether `key` (not NaN) has an entry. */
  has(key: number): boolean {
    const { keys, tags, mask } = this;
    for (let i = hashNumber(key) & mask; ; i = (i + 1) & mask) {
      if (tags[i] === EMPTY) return false;
      if (keys[i] === key) return true;
    }
  }

  /** The slot holding `key` (not NaN), or -1 when it has no entry; read it with `tagAt` and `payloadAt`. */
  slotOf(key: number): number {
    const { keys, tags, mask } = this;
    for (let i = hashNumber(key) & mask; ; i = (i + 1) & mask) {
      if (tags[i] === EMPTY) return -1;
      if (keys[i] === key) return i;
    }
  }

  tagAt(slot: number): number {
    return this.tags[slot]!;
  }

  payloadAt(slot: number): number {
    return this.payloads[slot]!;
  }

  /** Adds an entry for `key` (not NaN), which must have none; `tag` must not be 0. */
  add(key: number, tag: number, payload: number): void {
    if ((this.size + 1) * 2 > this.tags.length) this.grow();
    this.place(key === 0 ? 0 : key, tag, payload);
    this.size++;
  }

  /** Removes every entry, keeping the capacity. */
  clear(): void {
    this.tags.fill(EMPTY);
    this.size = 0;
  }

  /** Calls `visit` for each entry. */
  forEach(visit: (key: number, tag: number, payload: number) => void): void {
    const { keys, tags, payloads } = this;
    for (let i = 0; i < tags.length; i++) if (tags[i] !== EMPTY) visit(keys[i]!, tags[i]!, payloads[i]!);
  }

  private place(key: number, tag: number, payload: number): void {
    const { keys, tags, mask } = this;
    let i = hashNumber(key) & mask;
    while (tags[i] !== EMPTY) i = (i + 1) & mask;
    keys[i] = key;
    tags[i] = tag;
    this.payloads[i] = payload;
  }

  private grow(): void {
    const { keys, tags, payloads } = this;
    const capacity = tags.length * 2;
    this.keys = new Float64Array(capacity);
    this.tags = new Uint8Array(capacity);
    this.payloads = new Float64Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < tags.length; i++) if (tags[i] !== EMPTY) this.place(keys[i]!, tags[i]!, payloads[i]!);
  }
}
