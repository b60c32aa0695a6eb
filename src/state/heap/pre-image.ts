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
 * copies. A pre-image its snapshot is done with can be cleared and given to the next snapshot, so
 * that snapshot after snapshot allocates no new arrays once they are large enough (the arrays
 * growing is what costs: it copies them, and V8 counts new array buffers towards its collections).
 */
import type { NormalizedKey } from "../../core/key-groups.ts";
import { NumberKeySlots } from "./number-key-slots.ts";
import { NumericRecords } from "./numeric-records.ts";

/** In a pre-image: the key had no value when the snapshot froze. */
export const ABSENT: unique symbol = Symbol("absent");
export type Absent = typeof ABSENT;

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

  /** Forgets every record, keeping the arrays (and their capacity) for the next snapshot. */
  clear(): void {
    this.numberKeys?.clear();
    this.others.length = 0;
    this.values.clear();
    this.copies?.clear();
    this.records?.clear();
  }

  /** Whether the key's value is recorded. */
  has(key: NormalizedKey): boolean {
    if (typeof key === "number" && key === key) return this.numberKeys !== undefined && this.numberKeys.has(key);
    return this.values.has(key) || (this.copies !== undefined && this.copies.has(key));
  }

  /** Records `value`, which nothing changes any more, as the key's; the key must have no record yet. */
  set(key: NormalizedKey, value: V | Absent): void {
    if (typeof key !== "number" || key !== key) {
      this.values.set(key, value);
      return;
    }
    const slots = (this.numberKeys ??= new NumberKeySlots());
    if (typeof value === "number") slots.add(key, NUMBER, value);
    else if (value === ABSENT) slots.add(key, ABSENT_TAG, 0);
    else slots.add(key, OTHER, this.others.push(value) - 1);
  }

  /**
   * Records a copy of `value`, an object the live map keeps (and may change in place), as the key's
   * when it is a flat number record; false (nothing recorded) otherwise. The key must have no record yet.
   */
  setCopy(key: NormalizedKey, value: object): boolean {
    const at = (this.records ??= new NumericRecords()).append(value);
    if (at < 0) return false;
    if (typeof key === "number" && key === key) (this.numberKeys ??= new NumberKeySlots()).add(key, RECORD, at);
    else (this.copies ??= new Map()).set(key, at);
    return true;
  }

  /**
   * The key's recorded value: ABSENT when it had none, undefined when the key has no record (a new
   * object for a copy kept as numbers).
   */
  get(key: NormalizedKey): V | Absent | undefined {
    if (typeof key === "number" && key === key) {
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
    return this.values.size + (this.copies?.size ?? 0) + (this.numberKeys?.size ?? 0);
  }

  /** Calls `visit` for each key that had a value, with that value (a new object for a copy kept as numbers). */
  forEach(visit: (value: V, key: NormalizedKey) => void): void {
    this.values.forEach((value, key) => {
      if (value !== ABSENT) visit(value, key);
    });
    const records = this.records;
    this.copies?.forEach((at, key) => visit(records!.read(at) as V, key));
    this.numberKeys?.forEach((key, tag, payload) => {
      if (tag === NUMBER) visit(payload as V, key);
      else if (tag === RECORD) visit(records!.read(payload) as V, key);
      else if (tag === OTHER) visit(this.others[payload]!, key);
    });
  }
}
