import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MessagePackWriter } from "../../../src/core/message-pack-writer.ts";
import { plainPackr, toSlot } from "../../../src/core/value-codec.ts";
import { NumericRecords, writePackedRecord } from "../../../src/state/heap/numeric-records.ts";

describe("NumericRecords", () => {
  it("reads back each flat number record as a new object equal to it when appended, whatever was appended or changed since", () => {
    const record = fc.dictionary(fc.constantFrom("n", "sum", "count", "min", "max", "0", "7"), fc.double(), { maxKeys: 5 }).map((d) => ({ ...d }));
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 200 }), (values) => {
        const records = new NumericRecords();
        const kept = values.map((value) => ({ value, at: records.append(value), expected: { ...value } }));
        for (const { value } of kept) for (const key of Object.keys(value)) value[key] = 1;
        for (const { value, at, expected } of kept) {
          assert.ok(at >= 0);
          const read = records.read(at);
          assert.notEqual(read, value);
          assert.deepEqual(read, expected);
          assert.deepEqual(Object.keys(read), Object.keys(expected));
        }
      }),
    );
  });

  it("keeps NaN and -0", () => {
    const records = new NumericRecords();
    const read = records.read(records.append({ a: Number.NaN, b: -0 }));
    assert.ok(Number.isNaN(read.a));
    assert.ok(Object.is(read.b, -0));
  });

  it("takes only plain objects whose own properties all hold numbers", () => {
    class Counter {
      n = 1;
    }
    const records = new NumericRecords();
    const own = Object.defineProperty({}, "__proto__", { value: 1, enumerable: true });
    const refused = [{ n: 1, s: "x" }, { n: 1, o: {} }, { n: undefined }, [1, 2], new Counter(), Object.create(null) as object, new Map(), own, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i]))];
    for (const value of refused) assert.equal(records.append(value), -1, JSON.stringify(value));
    assert.ok(records.append({}) >= 0);
  });

  it("refuses an object with an enumerable number property inherited from Object.prototype, which a copy would make its own", () => {
    const records = new NumericRecords();
    assert.ok(records.append({ n: 1 }) >= 0, "the shape is known before");
    Object.defineProperty(Object.prototype, "inheritedCount", { value: 3, enumerable: true, configurable: true, writable: true });
    try {
      assert.equal(records.append({ n: 1 }), -1);
    } finally {
      delete (Object.prototype as Record<string, unknown>).inheritedCount;
    }
    assert.ok(records.append({ n: 1 }) >= 0);
  });

  it("refuses an object whose prototype is not Object.prototype, however plain its fields", () => {
    const records = new NumericRecords();
    assert.ok(records.append({ n: 1 }) >= 0);
    const inheriting = Object.create({ base: 1 }) as { n: number };
    inheriting.n = 1;
    assert.equal(records.append(inheriting), -1);
    const nullProto = Object.assign(Object.create(null) as object, { n: 1 });
    assert.equal(records.append(nullProto), -1);
  });

  it("refuses records of a new shape once it keeps as many shapes as it allows, and still reads those it took", () => {
    const records = new NumericRecords();
    const taken: { at: number; value: Record<string, number> }[] = [];
    let refusedAt = -1;
    for (let i = 0; i < 100 && refusedAt < 0; i++) {
      const value = { [`f${i}`]: i };
      const at = records.append(value);
      if (at < 0) refusedAt = i;
      else taken.push({ at, value });
    }
    assert.ok(refusedAt > 0);
    assert.ok(records.append({ f0: 9 }) >= 0, "a shape it keeps is still taken");
    for (const { at, value } of taken) assert.deepEqual(records.read(at), value);
  });

  it("writes a record as the bytes the value codec writes for the object it reads back as, whatever its numbers and names", () => {
    const names = fc.constantFrom("n", "sum", "count", "0", "7", "é", "a name of more than thirty-one characters");
    const number = fc.oneof(fc.integer(), fc.integer({ min: -70_000, max: 70_000 }), fc.double({ noDefaultInfinity: false }), fc.constantFrom(2 ** 31, 2 ** 32, -(2 ** 31) - 1, 2 ** 53));
    const record = fc.dictionary(names, number, { maxKeys: 5 }).map((d) => ({ ...d }));
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 50 }), (values) => {
        const records = new NumericRecords();
        const out = new MessagePackWriter();
        for (const value of values) {
          const at = records.append(value);
          out.reset();
          const negativeZero = Object.values(value).some((v) => Object.is(v, -0));
          assert.equal(records.writePacked(at, out), !negativeZero);
          if (negativeZero) {
            assert.equal(out.length, 0, "nothing is written for a record the codec writes otherwise");
            assert.ok(toSlot(records.read(at), () => "") instanceof Uint8Array);
            continue;
          }
          assert.deepEqual(out.bytes(), new Uint8Array(plainPackr.pack(records.read(at))));
          assert.deepEqual(plainPackr.unpack(out.bytes()), value);
        }
      }),
    );
  });

  it("writes an object that is a flat number record as the value codec writes it, and leaves any other alone", () => {
    const out = new MessagePackWriter();
    const written = (value: object): Uint8Array | undefined => {
      out.reset();
      out.number(1);
      if (!writePackedRecord(value, out)) {
        assert.equal(out.length, 1, "nothing is left of a record not written");
        return undefined;
      }
      return out.bytes().subarray(1);
    };
    for (const value of [{}, { n: 1, last: 2 }, { x: 0.5, y: Number.NaN, z: -(2 ** 40) }, { é: 3 }]) assert.deepEqual(written(value), new Uint8Array(plainPackr.pack(value)));
    class Point {
      x = 1;
    }
    for (const value of [{ a: -0 }, { a: "1" }, { a: { b: 1 } }, [1, 2], new Point(), Object.create(null) as object, new Map()]) assert.equal(written(value), undefined);
  });
});
