import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WeirError } from "../../src/core/errors.ts";
import { decodeValue, encodeValue, fromSlot, inspectValue, plainPackr, toSlot } from "../../src/core/value-codec.ts";
import { assertClonedFrom, fingerprint, valueShapes } from "../fixtures/value-shapes.ts";

const here = () => "value state 'seen' under key \"a\"";
const notSerializable = (pattern: RegExp) => (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_VALUE_NOT_SERIALIZABLE" && pattern.test(e.message);

describe("value codec", () => {
  for (const [name, value] of valueShapes()) {
    it(`a value comes back as structuredClone copies it: ${name}`, () => {
      assertClonedFrom(decodeValue(encodeValue(value, here), "test"), value, name);
    });

    it(`a value kept as a slot among others comes back as structuredClone copies it: ${name}`, () => {
      const bytes = plainPackr.pack(["before", toSlot(value, here), "after"]);
      const [before, slot, after] = plainPackr.unpack(bytes) as unknown[];
      assert.deepEqual([before, after], ["before", "after"]);
      assertClonedFrom(fromSlot(slot, "test"), value, name);
    });
  }

  it("any JSON-like or structured value comes back as structuredClone copies it", () => {
    const anything = fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withBoxedValues: true,
      withObjectString: true,
      withUnicodeString: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        assert.equal(fingerprint(decodeValue(encodeValue(value, here), "test")), fingerprint(structuredClone(value)));
      }),
      { numRuns: 500 },
    );
  });

  it("plain data is written as MessagePack and everything else by V8's serializer", () => {
    assert.equal(inspectValue({ a: [1, "x", null, { b: new Date(0) }], c: undefined }, here), "plain");
    const holed = [1, 2];
    delete holed[0];
    for (const rich of [-0, 1n, new Map(), new Set(), holed, "\udc00", new Uint8Array(1), JSON.parse('{"__proto__": 1}') as unknown]) {
      assert.equal(inspectValue(rich, here), "rich", fingerprint(rich));
    }
    const shared = {};
    assert.equal(inspectValue([shared, shared], here), "rich");
  });

  it("a function, a symbol or a class instance is refused, naming where it is and its path", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    assert.throws(() => encodeValue({ handlers: [1, 2, () => 3] }, here), notSerializable(/^value state 'seen' under key "a" holds at value\.handlers\[2\] a function/));
    assert.throws(() => encodeValue({ at: new Map([["p", new Point(1)]]) }, here), notSerializable(/at value\.at\.get\("p"\) an instance of class Point/));
    assert.throws(() => encodeValue(new Set([Symbol("s")]), here), notSerializable(/at value\.values\(\)\[0\] a symbol/));
    assert.throws(() => encodeValue(new Point(2), here), notSerializable(/is an instance of class Point/));
    assert.throws(() => encodeValue({ "odd key": new WeakMap() }, here), notSerializable(/value\["odd key"\] an instance of class WeakMap/));
    assert.throws(() => toSlot(() => 1, here), notSerializable(/is a function/));
  });

  it("an instance of a class with toJSON is written as what toJSON returns, in plain and in rich values", () => {
    class Window {
      constructor(
        readonly start: number,
        readonly end: number,
      ) {}
      toJSON(): [number, number] {
        return [this.start, this.end];
      }
    }
    const w = new Window(0, 10);
    assert.deepEqual(decodeValue(encodeValue({ window: w, list: [w] }, here), "test"), { window: [0, 10], list: [[0, 10]] });
    const back = decodeValue(encodeValue({ window: w, byWindow: new Map([["w", w]]), z: -0 }, here), "test") as { window: unknown; byWindow: Map<string, unknown>; z: number };
    assert.deepEqual(back.window, [0, 10]);
    assert.equal(back.byWindow.get("w"), back.window, "one instance is one replacement");
    assert.ok(Object.is(back.z, -0));
  });

  it("decoding changes nothing in the bytes, and two decodes share no object", () => {
    const value = { seen: new Map([["a", { n: 1 }]]) };
    const bytes = encodeValue(value, here);
    const copy = Uint8Array.from(bytes);
    const first = decodeValue(bytes, "test") as typeof value;
    const second = decodeValue(bytes, "test") as typeof value;
    first.seen.get("a")!.n = 99;
    assert.deepEqual(bytes, copy);
    assert.equal(second.seen.get("a")!.n, 1);
  });

  it("corrupt bytes are refused as corrupt state, naming where they came from", () => {
    const bytes = encodeValue({ seen: new Map([["a", 1]]) }, here);
    const corrupt = (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CORRUPT" && e.message.includes("chk-3/op-1");
    assert.throws(() => decodeValue(bytes.subarray(0, bytes.length - 2), "chk-3/op-1"), corrupt);
    assert.throws(() => decodeValue(Uint8Array.of(0x13, 1, 2), "chk-3/op-1"), corrupt);
    assert.throws(() => decodeValue(new Uint8Array(0), "chk-3/op-1"), corrupt);
  });
});
