/**
 * Copies of flat number records (plain objects whose own enumerable properties all hold numbers:
 * counters, sums, `{ count, sum, min, max }`) kept as numbers in one growing Float64Array instead
 * of as objects. What it is for: a snapshot's pre-images (see PreImage) live until the snapshot has
 * written their key group, and every young-generation collection meanwhile would have to copy a
 * copy kept as an object, and then promote it; numbers in an ArrayBuffer are not traced at all.
 *
 * Contract: `read(append(v))` is a new plain object with the same property names in the same order
 * and the same numbers (NaN and -0 included) as `v` had when appended; later changes to `v` do not
 * show in it. Records are removed all at once (`clear`).
 *
 * Layout: a record is [shape index, value…] where a shape is a record's property names in order;
 * the shapes met are kept in a short list, most often one.
 *
 * A snapshot writes a record as MessagePack straight from its numbers (`writePacked`), the bytes the
 * value codec writes for the object `read` would make: a record read as an object only to be
 * encoded was most of the garbage a snapshot of objects made while it was written.
 */
import type { MessagePackWriter } from "../../core/message-pack-writer.ts";

/** Records of more than this many properties, or more shapes than this, are not kept here. */
const MAX_FIELDS = 32;
const MAX_SHAPES = 16;
const INITIAL_LENGTH = 1024;

/**
 * Called as `hasOwnProperty.call(value, key)` on the key of a `for (key in value)` loop, which
 * V8's optimizing compiler turns into a check of the object's hidden class (Object.hasOwn, not
 * recognised there, is a call per property and was half the time of a copy).
 */
const hasOwnProperty = Object.prototype.hasOwnProperty;

/**
 * Writes `value`, when it is a flat number record of a plain object (as `append` takes), as the
 * value codec writes it (see `writePacked`); false, and nothing written, when it is not one or a
 * field is -0. For objects a snapshot writes as they are, without their slots going through the
 * codec's packer.
 */
export function writePackedRecord(value: object, out: MessagePackWriter): boolean {
  if ((value as { __proto__?: unknown }).__proto__ !== Object.prototype) return false;
  const start = out.length;
  out.mapHeader(0);
  let n = 0;
  for (const key in value) {
    const field: unknown = (value as Record<string, unknown>)[key];
    if (typeof field !== "number" || (field === 0 && 1 / field < 0) || n === 0xffff || key === "__proto__" || !hasOwnProperty.call(value, key)) {
      out.truncate(start);
      return false;
    }
    out.name(key);
    out.number(field);
    n++;
  }
  out.patchMapSize(start, n);
  return true;
}

export class NumericRecords {
  private numbers: Float64Array;
  private used = 0;

  /** `initialLength`: the numbers its array holds before it grows (a record takes one more than its fields). */
  constructor(initialLength = INITIAL_LENGTH) {
    this.numbers = new Float64Array(Math.max(initialLength, MAX_FIELDS + 1));
  }

  private readonly shapes: string[][] = [];
  /** Index of the shape last written, tried first. */
  private lastShape = -1;

  /**
   * Appends a copy of `value` and returns where it starts, or -1 (nothing appended) when `value` is
   * not a flat number record of a plain object.
   */
  append(value: object): number {
    // `__proto__` read as a property is the prototype, unless the object has an own property of
    // that name, which the loop below refuses when enumerable (and which could not pass for
    // Object.prototype otherwise). Object.getPrototypeOf is not inlined here and cost as much as
    // the rest of a copy of two fields.
    if ((value as { __proto__?: unknown }).__proto__ !== Object.prototype) return -1;
    if (this.numbers.length - this.used < MAX_FIELDS + 1) this.grow();
    const numbers = this.numbers;
    const at = this.used;
    const shape = this.lastShape < 0 ? undefined : this.shapes[this.lastShape];
    let same = shape !== undefined;
    let n = 0;
    for (const key in value) {
      const field: unknown = (value as Record<string, unknown>)[key];
      if (typeof field !== "number" || n === MAX_FIELDS || key === "__proto__" || !hasOwnProperty.call(value, key)) return -1;
      if (same && shape![n] !== key) same = false;
      numbers[at + 1 + n++] = field;
    }
    if (!same || n !== shape!.length) {
      const index = this.shapeIndex(value, n);
      if (index < 0) return -1;
      this.lastShape = index;
    }
    numbers[at] = this.lastShape;
    this.used = at + 1 + n;
    return at;
  }

  /** Forgets every record, keeping the array for reuse. */
  clear(): void {
    this.used = 0;
    this.shapes.length = 0;
    this.lastShape = -1;
  }

  /** A new object equal to the record appended at `at`. */
  read(at: number): Record<string, number> {
    const numbers = this.numbers;
    const shape = this.shapes[numbers[at]!]!;
    const out: Record<string, number> = {};
    for (let i = 0; i < shape.length; i++) out[shape[i]!] = numbers[at + 1 + i]!;
    return out;
  }

  /**
   * Writes the record appended at `at` as the value codec writes the object `read(at)` would be
   * (a plain object of numbers is written as MessagePack: a map of its fields in order); false,
   * and nothing written, when a field is -0, which the codec writes otherwise.
   */
  writePacked(at: number, out: MessagePackWriter): boolean {
    const numbers = this.numbers;
    const index = numbers[at]!;
    const shape = this.shapes[index]!;
    for (let i = 0; i < shape.length; i++) {
      const field = numbers[at + 1 + i]!;
      if (field === 0 && 1 / field < 0) return false;
    }
    out.mapHeader(shape.length);
    for (let i = 0; i < shape.length; i++) {
      out.name(shape[i]!);
      out.number(numbers[at + 1 + i]!);
    }
    return true;
  }

  /** The index of the shape of `value` (whose `n` properties were just read), added when new; -1 when there are too many. */
  private shapeIndex(value: object, n: number): number {
    const keys = Object.keys(value);
    if (keys.length !== n) return -1;
    for (let s = 0; s < this.shapes.length; s++) {
      const shape = this.shapes[s]!;
      if (shape.length === n && shape.every((key, i) => key === keys[i])) return s;
    }
    if (this.shapes.length === MAX_SHAPES) return -1;
    this.shapes.push(keys);
    return this.shapes.length - 1;
  }

  private grow(): void {
    const grown = new Float64Array(this.numbers.length * 2);
    grown.set(this.numbers.subarray(0, this.used));
    this.numbers = grown;
  }
}
