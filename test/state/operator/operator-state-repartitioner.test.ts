import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WeirError } from "../../../src/core/errors.ts";
import { evenSplitPart, repartitionOperatorState } from "../../../src/state/operator/operator-state-repartitioner.ts";
import type { OperatorStateSnapshot } from "../../../src/state/operator/operator-state-snapshot.ts";

const split = (...elements: unknown[]): OperatorStateSnapshot => ({ lists: [["offsets", "split", elements]], broadcast: [] });
const union = (...elements: unknown[]): OperatorStateSnapshot => ({ lists: [["seen", "union", elements]], broadcast: [] });
const elementsOf = (parts: OperatorStateSnapshot[], name: string) => parts.map((p) => p.lists.find(([n]) => n === name)?.[2]);

describe("repartitionOperatorState: split list state", () => {
  it("at the same parallelism each instance keeps its own elements, however unevenly spread", () => {
    assert.deepEqual(elementsOf(repartitionOperatorState([split(1, 2, 3), split(4)], 2), "offsets"), [[1, 2, 3], [4]]);
    assert.deepEqual(elementsOf(repartitionOperatorState([split(), split(5, 6)], 2), "offsets"), [[], [5, 6]]);
  });

  it("cuts the concatenation in instance order into contiguous parts, larger parts first", () => {
    assert.deepEqual(elementsOf(repartitionOperatorState([split(1, 2, 3), split(4, 5)], 3), "offsets"), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(elementsOf(repartitionOperatorState([split(1), split(2), split(3), split(4)], 2), "offsets"), [[1, 2], [3, 4]]);
    assert.deepEqual(elementsOf(repartitionOperatorState([split(1, 2, 3, 4, 5)], 2), "offsets"), [[1, 2, 3], [4, 5]]);
  });

  it("gives empty parts when there are fewer elements than instances", () => {
    assert.deepEqual(elementsOf(repartitionOperatorState([split("a")], 3), "offsets"), [["a"], [], []]);
  });

  it("an instance that wrote nothing contributes nothing", () => {
    assert.deepEqual(elementsOf(repartitionOperatorState([undefined, split(7, 8)], 3), "offsets"), [[7], [8], []]);
    assert.deepEqual(elementsOf(repartitionOperatorState([undefined, split(7, 8)], 2), "offsets"), [[], [7, 8]]);
  });

  it("for any lists and another parallelism: order kept, nothing lost or repeated, sizes differ by at most one", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer(), { maxLength: 8 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 9 }), (lists, parallelism) => {
        fc.pre(parallelism !== lists.length);
        const parts = elementsOf(repartitionOperatorState(lists.map((l) => split(...l)), parallelism), "offsets") as number[][];
        assert.equal(parts.length, parallelism);
        assert.deepEqual(parts.flat(), lists.flat());
        const sizes = parts.map((p) => p.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
        assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
      }),
    );
  });

  it("evenSplitPart gives part i of n", () => {
    assert.deepEqual([0, 1, 2].map((i) => evenSplitPart([1, 2, 3, 4, 5, 6, 7], i, 3)), [[1, 2, 3], [4, 5], [6, 7]]);
  });
});

describe("repartitionOperatorState: union list state and broadcast state", () => {
  it("every instance gets the concatenation of all union lists, in instance order", () => {
    assert.deepEqual(elementsOf(repartitionOperatorState([union(1), union(2, 3)], 3), "seen"), [[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
  });

  it("each instance gets an array of its own", () => {
    const parts = elementsOf(repartitionOperatorState([union(1)], 2), "seen");
    assert.notEqual(parts[0], parts[1]);
  });

  it("split and union lists of one operator are redistributed each by its own rule", () => {
    const previous: OperatorStateSnapshot[] = [
      { lists: [["s", "split", [1, 2]], ["u", "union", ["a"]]], broadcast: [] },
      { lists: [["s", "split", [3, 4]], ["u", "union", ["b"]]], broadcast: [] },
    ];
    const parts = repartitionOperatorState(previous, 4);
    assert.deepEqual(elementsOf(parts, "s"), [[1], [2], [3], [4]]);
    assert.deepEqual(elementsOf(parts, "u"), [["a", "b"], ["a", "b"], ["a", "b"], ["a", "b"]]);
    const same = repartitionOperatorState(previous, 2);
    assert.deepEqual(elementsOf(same, "s"), [[1, 2], [3, 4]]);
    assert.deepEqual(elementsOf(same, "u"), [["a", "b"], ["a", "b"]], "union state is redistributed at the same parallelism too");
  });

  it("new instance i gets the broadcast state of old instance i mod the old parallelism", () => {
    const b = (tag: string): OperatorStateSnapshot => ({ lists: [], broadcast: [["rules", [["k", tag]]]] });
    const parts = repartitionOperatorState([b("from 0"), b("from 1")], 3);
    assert.deepEqual(parts.map((p) => p.broadcast[0]![1][0]![1]), ["from 0", "from 1", "from 0"]);
    assert.deepEqual(repartitionOperatorState([b("x"), b("y"), b("z")], 1)[0]!.broadcast, b("x").broadcast);
  });

  it("an old instance that wrote nothing is stood in for by one that did", () => {
    const written: OperatorStateSnapshot = { lists: [], broadcast: [["rules", [["k", 1]]]] };
    assert.deepEqual(repartitionOperatorState([undefined, written], 2)[0]!.broadcast, written.broadcast);
  });

  it("a list written as split by one instance and union by another is corrupt state", () => {
    assert.throws(
      () => repartitionOperatorState([{ lists: [["x", "split", []]], broadcast: [] }, { lists: [["x", "union", []]], broadcast: [] }], 2),
      (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CORRUPT" && e.message.includes("'x'"),
    );
  });

  it("keeps lists of different schema versions apart, each split on its own, and passes broadcast versions on", () => {
    const parts = repartitionOperatorState(
      [
        { lists: [["offsets", "split", [1, 2]]], broadcast: [["rules", [["a", 1]], 2]] },
        { lists: [["offsets", "split", [3, 4], 2]], broadcast: [["rules", [["a", 1]], 2]] },
      ],
      1,
    );
    assert.deepEqual(parts, [{ lists: [["offsets", "split", [1, 2]], ["offsets", "split", [3, 4], 2]], broadcast: [["rules", [["a", 1]], 2]] }]);
  });
});
