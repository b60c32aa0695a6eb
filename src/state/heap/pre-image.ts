/**
 * The pre-image of one key group for one live snapshot: for each key changed since the snapshot
 * froze, the value the key had then (ABSENT when it had none). The snapshot sees the group as the
 * live map overlaid with its pre-image (see StateTable).
 *
 * A pre-image lives until its snapshot has written the group, while records keep changing other
 * keys, so what it holds is what the garbage collector copies, promotes and traces meanwhile, and
 * its growth is paid by the update that makes it grow. It is therefore kept out of the collector's
 * sight where it can be: records of number keys live in typed arrays (NumberKeySlots), and copies
 * of flat number records (`{ count, sum }`, the common shape of state objects changed in place) as
 * numbers in an ArrayBuffer (NumericRecords). Other keys are kept in Maps, and other copies as deep
 * copies.
 *
 * The first record of a number key under a live snapshot is what an update pays for most: a probe
 * of a table that no cache holds (a random key of a large state). Old values that are numbers, or
 * absence, are therefore appended to a log instead, without asking whether the key has a record:
 * the first record of a key is the one that counts, and the log is merged into the table (later
 * records of a key recorded before dropped) when the pre-image is read, when it is asked about a
 * key, or when the log reaches LOG_LIMIT entries, which bounds it however long the snapshot lives.
 * The merge probes the table for many keys in a row, while it is in cache.
 *
 * A pre-image is made for the number of keys its group had when frozen (up to PRESIZE_KEYS), and
 * its arrays are first made that large: a group's first snapshot would otherwise grow them step by
 * step while the updates that fill them wait, each step rehashing or copying what they hold (half
 * a millisecond of CPU time per step for a group of 8,000 keys). They are made on first use, so a
 * group the snapshot writes before any change costs nothing.
 *
 * A pre-image its snapshot is done with can be cleared and given to the next snapshot holding the
 * same key group, so that snapshot after snapshot allocates no new arrays once they are large
 * enough (the arrays growing is what costs: it allocates, fills and copies them in the update that
 * makes them grow, and V8 counts new array buffers towards its collections).
 */
import { internalError } from "../../core/errors.ts";
import type { NormalizedKey } from "../../core/key-groups.ts";
import { NumberKeySlots } from "./number-key-slots.ts";
import { NumericRecords } from "./numeric-records.ts";

/** In a pre-image: the key had no value when the snapshot froze. */
export const ABSENT: unique symbol = Symbol("absent");
export type Absent = typeof ABSENT;

/** What PreImage.copyIfAbsent did. */
export const RECORDED_BEFORE = 0;
export const COPIED = 1;
export const NOT_COPIED = 2;
export type CopyOutcome = typeof RECORDED_BEFORE | typeof COPIED | typeof NOT_COPIED;

/** Log entries at most: then the log is merged into the table rather than grown. */
const LOG_LIMIT = 8192;
const INITIAL_LOG = 256;
/** Keys a pre-image is sized for at most before its first record: beyond, its arrays grow as they fill. */
export const PRESIZE_KEYS = 16384;
/** Numbers per copy a pre-image's first array of copies has room for: a shape index and three fields. */
const NUMBERS_PER_COPY = 4;

/** Tags of records of number keys: what the slot's number is. */
const NUMBER = 1;
const ABSENT_TAG = 2;
/** Where the copy starts in `records`. */
const RECORD = 3;
/** An index into `others`. */
const OTHER = 4;

export class PreImage<V> {
  /** Number keys (NaN aside), created on first use. */
  private numberKeys: NumberKeySlots | undefined;
  /** Values of number keys that are neither numbers nor copies kept as numbers. */
  private readonly others: V[] = [];
  /** Other keys: values kept as they are, and copies kept as numeric records (where each starts in `records`). */
  private readonly values = new Map<NormalizedKey, V | Absent>();
  private copies: Map<NormalizedKey, number> | undefined;
  private records: NumericRecords | undefined;
  /**
   * Records of number keys not yet in `numberKeys`, in the order made: the key at 2·i and the
   * payload at 2·i + 1 of `log`, the tag (NUMBER or ABSENT_TAG) at i of `logTags`.
   */
  private log = new Float64Array(0);
  private logTags = new Uint8Array(0);
  private logged = 0;
  /** The keys its arrays are first made for. */
  private readonly expected: number;

  /** `expectedKeys`: the keys its group holds, the most it records copies of. */
  constructor(expectedKeys = 0) {
    this.expected = Math.min(Math.max(0, expectedKeys), PRESIZE_KEYS);
  }

  /** Forgets every record, keeping the arrays (and their capacity) for the next snapshot. */
  clear(): void {
    this.logged = 0;
    this.numberKeys?.clear();
    this.others.length = 0;
    this.values.clear();
    this.copies?.clear();
    this.records?.clear();
  }

  /** Whether the key's value is recorded. */
  has(key: NormalizedKey): boolean {
    if (typeof key === "number" && key === key) {
      if (this.logged > 0) this.merge();
      return this.numberKeys !== undefined && this.numberKeys.has(key);
    }
    return this.values.has(key) || (this.copies !== undefined && this.copies.has(key));
  }

  /** Records `value`, which nothing changes any more, as the key's; the key must have no record yet. */
  set(key: NormalizedKey, value: V | Absent): void {
    if (!this.setIfAbsent(key, value)) throw internalError(`a key was recorded twice in a pre-image`);
  }

  /**
   * Records `value`, which nothing changes any more, as the key's unless the key has a record
   * already (the first record of a key is the one kept). False when the key had a record; true
   * when it had none, or when that is not known yet (a number or absence for a number key, logged).
   */
  record(key: NormalizedKey, value: V | Absent): boolean {
    if (typeof key === "number" && key === key && (typeof value === "number" || value === ABSENT)) {
      if (this.logged === this.logTags.length) this.makeLogRoom();
      const i = this.logged++;
      this.log[2 * i] = key;
      this.log[2 * i + 1] = typeof value === "number" ? value : 0;
      this.logTags[i] = value === ABSENT ? ABSENT_TAG : NUMBER;
      return true;
    }
    return this.setIfAbsent(key, value);
  }

  /**
   * Records `value`, which nothing changes any more, as the key's unless the key has a record
   * already; whether it recorded. For number keys one probe of the table does both.
   */
  setIfAbsent(key: NormalizedKey, value: V | Absent): boolean {
    if (typeof key !== "number" || key !== key) {
      if (this.values.has(key) || (this.copies !== undefined && this.copies.has(key))) return false;
      this.values.set(key, value);
      return true;
    }
    if (this.logged > 0) this.merge();
    const slots = (this.numberKeys ??= new NumberKeySlots(this.expected));
    const slot = slots.insertionSlot(key);
    if (slot < 0) return false;
    if (typeof value === "number") slots.fill(slot, key, NUMBER, value);
    else if (value === ABSENT) slots.fill(slot, key, ABSENT_TAG, 0);
    else slots.fill(slot, key, OTHER, this.others.push(value) - 1);
    return true;
  }

  /**
   * Unless the key has a record already (RECORDED_BEFORE), records a copy of `value`, an object the
   * live map keeps (and may change in place), as the key's when it is a flat number record
   * (COPIED); NOT_COPIED (nothing recorded) otherwise, for the caller to record a copy of its own.
   */
  copyIfAbsent(key: NormalizedKey, value: object): CopyOutcome {
    if (typeof key === "number" && key === key) {
      if (this.logged > 0) this.merge();
      const slots = (this.numberKeys ??= new NumberKeySlots(this.expected));
      const slot = slots.insertionSlot(key);
      if (slot < 0) return RECORDED_BEFORE;
      const at = (this.records ??= this.newRecords()).append(value);
      if (at < 0) return NOT_COPIED;
      slots.fill(slot, key, RECORD, at);
      return COPIED;
    }
    if (this.values.has(key) || (this.copies !== undefined && this.copies.has(key))) return RECORDED_BEFORE;
    const at = (this.records ??= this.newRecords()).append(value);
    if (at < 0) return NOT_COPIED;
    (this.copies ??= new Map()).set(key, at);
    return COPIED;
  }

  /**
   * The key's recorded value: ABSENT when it had none, undefined when the key has no record (a new
   * object for a copy kept as numbers).
   */
  get(key: NormalizedKey): V | Absent | undefined {
    if (typeof key === "number" && key === key) {
      if (this.logged > 0) this.merge();
      const slot = this.numberKeys === undefined ? -1 : this.numberKeys.slotOf(key);
      if (slot < 0) return undefined;
      const tag = this.numberKeys!.tagAt(slot);
      const payload = this.numberKeys!.payloadAt(slot);
      if (tag === NUMBER) return payload as V;
      if (tag === ABSENT_TAG) return ABSENT;
      if (tag === RECORD) return this.records!.read(payload) as V;
      return this.others[payload]!;
    }
    const value = this.values.get(key);
    if (value !== undefined || this.values.has(key)) return value;
    const at = this.copies?.get(key);
    return at === undefined ? undefined : (this.records!.read(at) as V);
  }

  /** The number of keys recorded. */
  get size(): number {
    if (this.logged > 0) this.merge();
    return this.values.size + (this.copies?.size ?? 0) + (this.numberKeys?.size ?? 0);
  }

  /**
   * Calls `visit` for each key that had a value, with that value (a new object for a copy kept as
   * numbers), until a visit returns false. With `record`, a copy kept as numbers goes to it
   * instead, as where it starts in `records` (see NumericRecords), and is not made into an object.
   */
  forEach(visit: (value: V, key: NormalizedKey) => boolean | void, record?: (records: NumericRecords, at: number, key: NormalizedKey) => void): void {
    if (this.logged > 0) this.merge();
    let going = true;
    this.values.forEach((value, key) => {
      if (going && value !== ABSENT) going = visit(value, key) !== false;
    });
    const records = this.records;
    if (going) {
      this.copies?.forEach((at, key) => {
        if (!going) return;
        if (record === undefined) going = visit(records!.read(at) as V, key) !== false;
        else record(records!, at, key);
      });
    }
    if (!going) return;
    this.numberKeys?.forEach((key, tag, payload) => {
      if (tag === NUMBER) return visit(payload as V, key);
      if (tag === RECORD) {
        if (record === undefined) return visit(records!.read(payload) as V, key);
        record(records!, payload, key);
        return true;
      }
      if (tag === OTHER) return visit(this.others[payload]!, key);
      return true;
    });
  }

  private newRecords(): NumericRecords {
    return new NumericRecords(Math.max(1024, this.expected * NUMBERS_PER_COPY));
  }

  /** Moves the log's records into the table, in order, each of a key with no record yet. */
  private merge(): void {
    const slots = (this.numberKeys ??= new NumberKeySlots(this.expected));
    const { log, logTags } = this;
    for (let i = 0; i < this.logged; i++) {
      const key = log[2 * i]!;
      const slot = slots.insertionSlot(key);
      if (slot >= 0) slots.fill(slot, key, logTags[i]!, log[2 * i + 1]!);
    }
    this.logged = 0;
  }

  /** Room for one more log entry: a larger log up to LOG_LIMIT, else an empty one (merged). */
  private makeLogRoom(): void {
    const capacity = this.logTags.length;
    if (capacity >= LOG_LIMIT) {
      this.merge();
      return;
    }
    const grown = capacity === 0 ? Math.min(LOG_LIMIT, Math.max(INITIAL_LOG, this.expected)) : Math.min(LOG_LIMIT, capacity * 2);
    const log = new Float64Array(2 * grown);
    log.set(this.log);
    const tags = new Uint8Array(grown);
    tags.set(this.logTags);
    this.log = log;
    this.logTags = tags;
  }
}
