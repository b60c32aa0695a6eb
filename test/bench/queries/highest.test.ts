import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { highestBy, mergeHighest, noneYet, offer } from "../../../bench/queries/highest.ts";

describe("highest", () => {
  it("keeps every item that ties the highest score, in the order offered", () => {
    const h = noneYet<string>();
    for (const [item, score] of [["a", 3], ["b", 5], ["c", 5], ["d", 4]] as const) offer(h, item, score);
    assert.deepEqual(h, { score: 5, items: ["b", "c"] });
  });

  it("drops the items kept so far when a higher score arrives", () => {
    const h = offer(offer(noneYet<string>(), "a", 1), "b", 1);
    offer(h, "c", 2);
    assert.deepEqual(h.items, ["c"]);
  });

  it("merges by keeping the higher side, or both on a tie, without sharing the other side's list", () => {
    const b = offer(noneYet<string>(), "b", 7);
    const merged = mergeHighest(offer(noneYet<string>(), "a", 2), b);
    merged.items.push("x");
    assert.deepEqual(b.items, ["b"]);
    assert.deepEqual(mergeHighest(offer(noneYet<string>(), "a", 7), offer(noneYet<string>(), "b", 7)).items, ["a", "b"]);
  });

  it("is an aggregate function whose result is the highest inputs", () => {
    const byLength = highestBy<string>((s) => s.length);
    let acc = byLength.createAccumulator();
    for (const s of ["ab", "abc", "xyz", "a"]) acc = byLength.add(s, acc);
    assert.deepEqual(byLength.getResult(acc), ["abc", "xyz"]);
  });
});
