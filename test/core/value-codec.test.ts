import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WeirError } from "../../src/core/errors.ts";
import { decodeValue, encodeInt32Value, encodeValue, fromSlot, isInt32Value, inspectValue, plainPackr, toSlot } from "../../src/core/value-codec.ts";
import { assertClonedFrom, fingerprint, valueShapes } from "../fixtures/value-shapes.ts";

const here = () => "value state 'seen' under key \"a\"";
const notSerializable = (pattern: RegExp) => (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_VALUE_NOT_SERIALIZABLE" && pattern.test(e.message);

describe("value codec", () => {
  it("writes a 32-bit integer directly as the same bytes encodeValue writes for it", () => {
    const edges = [0, 1, 31, 32, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31)];
    const same = (n: number): void => assert.deepEqual([...encodeInt32Value(n)], [...encodeValue(n, () => "n")], `bytes of ${n}`);
    edges.forEach(same);
    fc.assert(fc.property(fc.integer(), (n) => same(n === 0 ? 0 : n)));
    assert.equal(isInt32Value(-0), false, "-0 is kept as rich");
    assert.equal(decodeValue(encodeInt32Value(-(2 ** 31)), "n"), -(2 ** 31));
  });

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

  it("-0 and a lone surrogate make a value rich in a field of an object, an element of an array and a field of a class instance", () => {
    class Holder {
      constructor(readonly held: unknown) {}
    }
    for (const inner of [-0, "a\ud800"]) {
      for (const value of [{ a: 1, b: inner }, [1, inner], new Holder(inner), { deep: [{ x: inner }] }]) {
        assert.equal(inspectValue(value, here), "rich", fingerprint(value));
        assertClonedFrom(decodeValue(encodeValue(value, here), "test"), value, fingerprint(value));
      }
    }
  });

  it("an object reached twice is found however many objects the value holds before it", () => {
    for (const count of [1, 15, 16, 17, 40]) {
      const objects = Array.from({ length: count }, (_, i) => ({ i }));
      for (const again of [0, count - 1]) {
        const value = [...objects, objects[again]];
        assert.equal(inspectValue(value, here), "rich", `${count} objects, then #${again} again`);
        const back = decodeValue(encodeValue(value, here), "test") as object[];
        assert.equal(back[count], back[again], `${count} objects, then #${again} again`);
      }
      assert.equal(inspectValue(objects, here), "plain", `${count} distinct objects`);
    }
  });

  it("a function, a symbol, a weak collection, a promise or shared memory is refused, naming where it is and its path", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    assert.throws(() => encodeValue({ handlers: [1, 2, () => 3] }, here), notSerializable(/^value state 'seen' under key "a" holds at value\.handlers\[2\] a function/));
    assert.throws(() => encodeValue({ at: new Map([["p", new Point(1)]]), onMove: [() => 1] }, here), notSerializable(/at value\.onMove\[0\] a function/));
    assert.throws(() => encodeValue(new Set([Symbol("s")]), here), notSerializable(/at value\.values\(\)\[0\] a symbol/));
    assert.throws(() => encodeValue({ "odd key": new WeakMap() }, here), notSerializable(/value\["odd key"\] an instance of class WeakMap/));
    assert.throws(() => encodeValue([new WeakSet(), 1], here), notSerializable(/value\[0\] an instance of class WeakSet/));
    assert.throws(() => encodeValue({ ref: new WeakRef({}) }, here), notSerializable(/value\.ref an instance of class WeakRef/));
    assert.throws(() => encodeValue({ pending: Promise.resolve(1) }, here), notSerializable(/value\.pending an instance of class Promise/));
    assert.throws(() => encodeValue({ shared: new SharedArrayBuffer(8) }, here), notSerializable(/value\.shared an instance of class SharedArrayBuffer/));
    assert.throws(() => toSlot(() => 1, here), notSerializable(/is a function/));
  });

  it("a function in a field of a class instance is refused, naming its path", () => {
    class Task {
      constructor(
        readonly id: number,
        readonly run: unknown,
      ) {}
    }
    assert.throws(() => encodeValue({ tasks: [new Task(1, "x"), new Task(2, () => 2)] }, here), notSerializable(/at value\.tasks\[1\]\.run a function/));
  });

  it("a built-in object V8 cannot copy (an iterator) is refused with V8's reason", () => {
    assert.throws(() => encodeValue({ cursor: new Map([[1, 2]]).entries() }, here), notSerializable(/^value state 'seen' under key "a" cannot be written .*could not be cloned/));
  });

  it("a class instance is written as its own enumerable fields and read back as a plain object, as structuredClone does", () => {
    class WordWithCount {
      readonly hidden = new Map([["k", 1]]);
      constructor(
        public word: string,
        public count: number,
      ) {
        Object.defineProperty(this, "cache", { value: 1, enumerable: false });
      }
      get upper(): string {
        return this.word.toUpperCase();
      }
      describe(): string {
        return `${this.word}: ${this.count}`;
      }
    }
    class Bag extends Map<string, WordWithCount> {}
    class Words extends Array<WordWithCount> {}
    const w = new WordWithCount("hello", 2);
    w.count++;
    const values: unknown[] = [w, { best: w, at: new Date(3) }, [new WordWithCount("a", 1), new WordWithCount("b", -0)], new Bag([["x", w]]), Words.from([w]), { big: 1n, w }];
    for (const value of values) {
      const back = decodeValue(encodeValue(value, here), "test");
      assert.equal(fingerprint(back), fingerprint(structuredClone(value)));
      const bytes = plainPackr.pack(["before", toSlot(value, here)]);
      assert.equal(fingerprint(fromSlot((plainPackr.unpack(bytes) as unknown[])[1], "test")), fingerprint(structuredClone(value)));
    }
    const back = decodeValue(encodeValue(w, here), "test") as Record<string, unknown>;
    assert.deepEqual(Object.keys(back), Object.keys(w));
    assert.deepEqual([...Object.keys(back)].sort(), ["count", "hidden", "word"], "own enumerable fields only: no getter, no non-enumerable field");
    assert.equal(Object.getPrototypeOf(back), Object.prototype, "methods and instanceof are gone after the trip");
    assert.ok(back.hidden instanceof Map);
    class Hit {
      constructor(
        readonly key: string,
        readonly at: Date,
      ) {}
    }
    assert.equal(inspectValue([new Hit("a", new Date(1))], here), "plain", "instances of plain fields are written as MessagePack");
    assert.equal(inspectValue(w, here), "rich", "an instance holding a Map is written by V8's serializer");
    assert.ok(decodeValue(encodeValue(new Bag(), here), "test") instanceof Map, "a subclass of Map comes back a Map");
    assert.ok(Array.isArray(decodeValue(encodeValue(new Words(), here), "test")), "a subclass of Array comes back an array");
  });

  it("an instance of a class with toJSON inside a class instance is written as what toJSON returns", () => {
    class Window {
      constructor(readonly end: number) {}
      toJSON(): number {
        return this.end;
      }
    }
    class Pane {
      constructor(
        readonly window: Window,
        readonly seen: Set<number>,
      ) {}
    }
    assert.deepEqual(decodeValue(encodeValue(new Pane(new Window(10), new Set([1])), here), "test"), { window: 10, seen: new Set([1]) });
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
