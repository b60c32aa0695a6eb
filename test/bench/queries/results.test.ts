import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonical, compareResults, describeDifference } from "../../../bench/queries/results.ts";

describe("canonical", () => {
  it("gives records with the same fields in another key order the same form", () => {
    assert.equal(canonical({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } }), canonical({ a: { c: [3, { e: 5, f: 4 }], d: 2 }, b: 1 }));
    assert.notEqual(canonical({ a: 1 }), canonical({ a: "1" }));
  });
});

describe("compareResults", () => {
  it("finds equal multisets equal in any order", () => {
    assert.deepEqual(compareResults(["a", "b", "a"], ["a", "a", "b"]), { unexpected: [], missing: [] });
  });

  it("counts duplicates: a record emitted once too often is unexpected, once too few is missing", () => {
    assert.deepEqual(compareResults(["a", "b"], ["a", "a", "b"]), { unexpected: ["a"], missing: [] });
    assert.deepEqual(compareResults(["a", "a", "b"], ["a", "b"]), { unexpected: [], missing: ["a"] });
  });

  it("describes a difference by its counts and first records", () => {
    const text = describeDifference(compareResults(["x"], ["1", "2", "3"]), 2);
    assert.match(text, /3 unexpected:\n {4}1\n {4}2\n {4}\.\.\. and 1 more\n {2}1 missing:\n {4}x/);
  });
});
