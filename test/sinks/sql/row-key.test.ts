import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rowKey } from "../../../src/sinks/sql/row-key.ts";

describe("rowKey", () => {
  it("tells apart values that print alike: 1 and '1', 1 and 1n, null and 'null', a Date and its text", () => {
    const keys = [[1], ["1"], [1n], [null], ["null"], [undefined], [true], ["true"], [new Date(0)], [new Date(0).toISOString()], [String(new Date(0))]];
    assert.equal(new Set(keys.map(rowKey)).size, keys.length);
  });

  it("keeps the milliseconds of a Date and tells different objects apart", () => {
    assert.notEqual(rowKey([new Date(1000)]), rowKey([new Date(1001)]));
    assert.notEqual(rowKey([{ id: 1 }]), rowKey([{ id: 2 }]));
    assert.notEqual(rowKey([Buffer.from("a")]), rowKey([Buffer.from("b")]));
  });

  it("does not let separators inside strings join two keys into one", () => {
    assert.notEqual(rowKey(["a,sb", "c"]), rowKey(["a", "b,sc"]));
    assert.notEqual(rowKey(['a"', "b"]), rowKey(["a", '"b']));
  });

  it("gives equal values of the same type one key, whatever order an object's properties were set in", () => {
    assert.equal(rowKey([new Date(5), { a: 1, b: [2] }]), rowKey([new Date(5), { b: [2], a: 1 }]));
    assert.equal(rowKey([0]), rowKey([-0]));
  });

  it("reads values when it runs, so a key object changed in place afterwards keeps its key", () => {
    const when = new Date(1000);
    const before = rowKey([when]);
    when.setTime(2000);
    assert.notEqual(rowKey([when]), before);
    assert.equal(before, rowKey([new Date(1000)]));
  });

  it("refuses a value that contains itself instead of looping", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.throws(() => rowKey([loop]), /cannot contain itself/);
  });
});
