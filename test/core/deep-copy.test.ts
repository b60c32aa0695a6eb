import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { deepCopy } from "../../src/core/deep-copy.ts";

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  length(): number {
    return Math.hypot(this.x, this.y);
  }
}

describe("deepCopy", () => {
  it("returns primitives, functions and unreadable objects as they are", () => {
    const fn = () => 1;
    const weak = new WeakMap();
    const symbol = Symbol("s");
    for (const value of [undefined, null, 0, -0, Number.NaN, "text", true, 10n, symbol, fn, weak]) assert.ok(Object.is(deepCopy(value), value));
    const promise = Promise.resolve(1);
    assert.equal(deepCopy(promise), promise);
  });

  it("a plain object changed in place after copying leaves the copy as it was", () => {
    const source = { n: 1, nested: { list: [1, 2, { deep: "a" }] }, at: new Date(5), fn: Math.max };
    const copy = deepCopy(source);
    assert.deepEqual(copy, source);
    source.n = 2;
    source.nested.list.push(3);
    (source.nested.list[2] as { deep: string }).deep = "b";
    source.at.setTime(6);
    assert.deepEqual(copy, { n: 1, nested: { list: [1, 2, { deep: "a" }] }, at: new Date(5), fn: Math.max });
    assert.equal(copy.fn, Math.max);
  });

  it("instances of user classes keep their prototype, and their methods work on the copied fields", () => {
    const source = new Point(3, 4);
    const copy = deepCopy(source);
    assert.ok(copy instanceof Point);
    assert.notEqual(copy, source);
    source.x = 0;
    assert.equal(copy.length(), 5);
  });

  it("an object with a null prototype stays without one", () => {
    const source = Object.create(null) as Record<string, unknown>;
    source.a = { b: 1 };
    const copy = deepCopy(source);
    assert.equal(Object.getPrototypeOf(copy), null);
    assert.notEqual(copy.a, source.a);
    assert.deepEqual(copy.a, { b: 1 });
  });

  it("an own __proto__ key is copied as a property, not as the prototype", () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = deepCopy(source);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, "__proto__")?.value, { polluted: true });
    assert.equal((copy as { polluted?: boolean }).polluted, undefined);
  });

  it("arrays keep their length and holes, and their elements are copied", () => {
    // eslint-disable-next-line no-sparse-arrays
    const source: unknown[] = [1, , { a: 1 }];
    const copy = deepCopy(source);
    assert.equal(copy.length, 3);
    assert.ok(!(1 in copy));
    (source[2] as { a: number }).a = 2;
    assert.deepEqual(copy[2], { a: 1 });
  });

  it("maps and sets keep their order, and their keys, values and elements are copied", () => {
    const key = { id: 1 };
    const map = new Map<unknown, unknown>([["b", { v: 1 }], [key, [1]], ["a", 3]]);
    const set = new Set<unknown>([{ s: 1 }, "x"]);
    const copy = deepCopy({ map, set });
    (map.get("b") as { v: number }).v = 9;
    key.id = 2;
    ([...set][0] as { s: number }).s = 9;
    assert.deepEqual([...copy.map.keys()], ["b", { id: 1 }, "a"]);
    assert.deepEqual(copy.map.get("b"), { v: 1 });
    assert.deepEqual([...copy.set], [{ s: 1 }, "x"]);
  });

  it("dates, regular expressions and byte containers are copied with their type", () => {
    const buffer = Buffer.from("abc");
    const bytes = new Float64Array([1.5, 2.5]);
    const raw = new Uint8Array([1, 2, 3, 4]).buffer;
    const view = new DataView(new Uint8Array([9, 8, 7]).buffer, 1, 2);
    const source = { buffer, bytes, raw, view, re: /a+/gi };
    const copy = deepCopy(source);
    buffer[0] = 0x7a;
    bytes[0] = 0;
    new Uint8Array(raw)[0] = 0;
    view.setUint8(0, 0);
    assert.ok(Buffer.isBuffer(copy.buffer));
    assert.equal(copy.buffer.toString(), "abc");
    assert.ok(copy.bytes instanceof Float64Array);
    assert.deepEqual([...copy.bytes], [1.5, 2.5]);
    assert.deepEqual([...new Uint8Array(copy.raw)], [1, 2, 3, 4]);
    assert.equal(copy.view.byteLength, 2);
    assert.equal(copy.view.getUint8(0), 8);
    assert.equal(copy.re.source, "a+");
    assert.equal(copy.re.flags, "gi");
    assert.notEqual(copy.re, source.re);
  });

  it("a cyclic value is copied with its cycle, without overflowing the stack", () => {
    const node: { name: string; self?: unknown; children: unknown[] } = { name: "root", children: [] };
    node.self = node;
    node.children.push({ parent: node });
    const copy = deepCopy(node);
    assert.notEqual(copy, node);
    assert.equal(copy.self, copy);
    assert.equal((copy.children[0] as { parent: unknown }).parent, copy);
    node.name = "changed";
    assert.equal(copy.name, "root");
  });

  it("a cycle through a map, a set and a class instance is kept", () => {
    const point = new Point(1, 2) as Point & { links?: Map<string, unknown> };
    point.links = new Map<string, unknown>([["me", point], ["set", new Set([point])]]);
    const copy = deepCopy(point);
    assert.ok(copy instanceof Point);
    assert.equal(copy.links!.get("me"), copy);
    assert.equal([...(copy.links!.get("set") as Set<unknown>)][0], copy);
  });

  it("a list 200,000 levels deep is copied without overflowing the stack", () => {
    type Link = { i: number; next: Link | undefined };
    let head: Link | undefined;
    for (let i = 0; i < 200_000; i++) head = { i, next: head };
    let copy = deepCopy(head);
    assert.notEqual(copy, head);
    let length = 0;
    for (; copy !== undefined; copy = copy.next) length++;
    assert.equal(length, 200_000);
  });

  it("an object reached twice in a shallow value is copied twice", () => {
    const shared = { n: 1 };
    const copy = deepCopy({ a: shared, b: shared });
    assert.notEqual(copy.a, shared);
    assert.deepEqual(copy.a, copy.b);
  });
});
