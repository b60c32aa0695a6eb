/**
 * Record shapes: which records have one (flat objects of numbers, strings, booleans, null,
 * undefined and Dates), and what the code compiled for a shape writes and builds.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fingerprint } from "../../fixtures/value-shapes.ts";
import { RecentStrings, isValidShape, shapeFor, shapeOf, type RecordShape } from "../../../src/runtime/network/record-shape.ts";

/** Writes `records` with `shape` and builds them back, as a batch does. */
function roundTrip(shape: RecordShape, records: readonly unknown[]): { written: number; back: unknown[] } {
  const numbers = new Float64Array(records.length * shape.numberColumns);
  const ids = new Uint32Array(records.length * shape.stringColumns);
  const booleans = new Uint8Array(records.length * shape.booleanColumns);
  const dictionary: string[] = [];
  const recent = new RecentStrings();
  recent.reset(shape.stringColumns);
  const written = shape.write(records, 0, records.length, numbers, ids, dictionary, recent, booleans, 0);
  const back: unknown[] = [];
  shape.build(back, written, numbers, ids, dictionary, booleans);
  return { written, back };
}

describe("record shape", () => {
  it("a flat record has the shape of its field names in order and the kinds of their values", () => {
    const shape = shapeOf({ id: 1, name: "a", ok: true, none: null, missing: undefined, at: new Date(5) });
    assert.deepEqual(shape?.fields, ["id", "name", "ok", "none", "missing", "at"]);
    assert.equal(shape?.kinds, "nsblud");
    assert.equal(shapeOf({ name: "a", id: 1 })?.kinds, "sn", "the same fields in another order are another shape");
  });

  it("records holding objects, arrays or bigints, class instances and a field named __proto__ have no shape", () => {
    class Point {
      x = 1;
    }
    for (const record of [{ nested: { a: 1 } }, { list: [1] }, { big: 1n }, { map: new Map() }, new Point(), JSON.parse('{"__proto__": 1}') as unknown, [1, 2], "text", 7, null]) {
      assert.equal(shapeOf(record), undefined, JSON.stringify(String(record)));
    }
  });

  it("a subclass of Date is no Date of a shape", () => {
    class Day extends Date {}
    assert.equal(shapeOf({ at: new Day(0) }), undefined);
  });

  it("one shape is compiled once and shared", () => {
    assert.equal(shapeOf({ a: 1, b: "x" }), shapeOf({ a: 2, b: "y" }));
    assert.equal(shapeFor(["a", "b"], "ns"), shapeOf({ a: 3, b: "z" }));
  });

  it("numbers come back as they were, integers or not, at and beyond the small-integer range", () => {
    const shape = shapeOf({ n: 1 })!;
    const values = [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, 0.5, -1.5, 1e-300, Number.NaN, Infinity, -Infinity, 1_700_000_000_123];
    const { back } = roundTrip(shape, values.map((n) => ({ n })));
    back.forEach((record, i) => assert.ok(Object.is((record as { n: number }).n, values[i]), `value #${i}`));
  });

  it("records are written while they have the shape, and come back as new objects with their values", () => {
    const shape = shapeOf({ id: 1, name: "a", ok: true })!;
    const records = [{ id: 1, name: "a", ok: true }, { id: -0, name: "\ud800", ok: false }, { id: Number.NaN, name: "", ok: true }, { id: 4, name: 4, ok: true }, { id: 5, name: "e", ok: true }];
    const { written, back } = roundTrip(shape, records);
    assert.equal(written, 3, "the fourth record holds a number where the shape has a string");
    assert.deepEqual(back, records.slice(0, 3));
    assert.ok(Object.is((back[1] as { id: number }).id, -0));
    assert.equal((back[1] as { name: string }).name, "\ud800");
    back.forEach((record, i) => assert.notEqual(record, records[i]));
  });

  it("a record fits a shape exactly when the shape writes it", () => {
    const value = fc.oneof(fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.date(), fc.bigInt(), fc.constant({}), fc.constant([]));
    const record = fc.oneof(fc.dictionary(fc.constantFrom("id", "name", "at", "ok"), value, { maxKeys: 4 }), value);
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), (records) => {
        const shape = shapeOf(records[0]);
        if (shape === undefined) return;
        for (const r of records) assert.equal(shape.fits(r), roundTrip(shape, [r]).written === 1);
      }),
      { numRuns: 500 },
    );
    const shape = shapeOf({ id: 1, name: "a" })!;
    assert.equal(shape.fits({ id: 2, name: "b" }), true);
    for (const other of [{ name: "a", id: 1 }, { id: 1, name: 2 }, { id: 1 }, { id: 1, name: "a", ok: true }, Object.assign(Object.create({ x: 1 }) as object, { id: 1, name: "a" }), null, "a"]) {
      assert.equal(shape.fits(other), false, JSON.stringify(other));
    }
  });

  it("a record with the same fields in another order, one more field or one fewer is not written", () => {
    const shape = shapeOf({ a: 1, b: 2 })!;
    for (const other of [{ b: 2, a: 1 }, { a: 1, b: 2, c: 3 }, { a: 1 }]) assert.equal(roundTrip(shape, [other]).written, 0, JSON.stringify(other));
  });

  it("a record without a prototype is built back as a plain object, as structuredClone copies it", () => {
    const record = Object.assign(Object.create(null) as object, { a: 1 });
    const { back } = roundTrip(shapeOf(record)!, [record]);
    assert.equal(Object.getPrototypeOf(back[0]), Object.prototype);
    assert.deepEqual({ ...(back[0] as object) }, { a: 1 });
  });

  it("Dates come back as new Dates of the same time, invalid ones included", () => {
    const records = [{ at: new Date(1_700_000_000_123) }, { at: new Date(Number.NaN) }];
    const { back } = roundTrip(shapeOf(records[0])!, records);
    assert.equal(fingerprint(back), fingerprint(records));
    assert.notEqual((back[0] as { at: Date }).at, records[0]!.at);
  });

  it("field names that are not identifiers are only names, never code", () => {
    const record = { 'a"]; throw new Error("injected"); //': 1, "constructor": "c", "toString": true, "0": null, "": "empty" };
    const { back } = roundTrip(shapeOf(record)!, [record]);
    assert.deepEqual(back, [record]);
    assert.deepEqual(Object.keys(back[0] as object), Object.keys(record));
  });

  it("a getter is read once per record", () => {
    let reads = 0;
    const record = {
      get n(): number {
        reads++;
        return 1;
      },
    };
    roundTrip(shapeOf({ n: 0 })!, [record]);
    assert.equal(reads, 1);
  });

  it("a repeated string is written once into the dictionary", () => {
    const records = Array.from({ length: 100 }, (_, i) => ({ kind: "bid", n: i }));
    const shape = shapeOf(records[0])!;
    const dictionary: string[] = [];
    const recent = new RecentStrings();
    recent.reset(shape.stringColumns);
    shape.write(records, 0, records.length, new Float64Array(100), new Uint32Array(100), dictionary, recent, new Uint8Array(0), 0);
    assert.deepEqual(dictionary, ["bid"]);
  });

  it("a shape named by a batch is checked before it is compiled", () => {
    assert.ok(isValidShape(["a", "b"], "ns"));
    assert.ok(!isValidShape(["a"], "ns"), "one kind per field");
    assert.ok(!isValidShape(["a"], "x"), "known kinds only");
    assert.ok(!isValidShape(["__proto__"], "n"));
    assert.ok(!isValidShape(["a", "a"], "nn"), "distinct names");
    assert.ok(!isValidShape([1], "n"), "names are strings");
  });
});
