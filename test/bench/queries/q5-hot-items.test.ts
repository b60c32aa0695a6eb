import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Q5_SLIDE_MS, Q5_WINDOW_MS, q5HotItems } from "../../../bench/queries/q5-hot-items.ts";
import { bid, from, T0 } from "./events.ts";

const S = Q5_SLIDE_MS;
const windowsPerBid = Q5_WINDOW_MS / Q5_SLIDE_MS;

describe("q5 loop (hot items)", () => {
  it("counts a bid in every sliding window that holds it", () => {
    const results = q5HotItems.loop(1, from([bid(7, 1, 0)]));
    assert.equal(results.length, windowsPerBid);
    for (const r of results) {
      assert.equal(r.count, 1);
      assert.ok(r.windowStart <= T0 && T0 < r.windowEnd);
      assert.equal(r.windowEnd - r.windowStart, Q5_WINDOW_MS);
    }
  });

  it("gives each window the auction with the most bids, and every auction that ties it", () => {
    // Auction 1 gets two bids in the first slide, auction 2 two in the second: the windows that
    // hold both slides tie; those holding one slide have one winner.
    const events = [bid(1, 1, 0), bid(1, 1, 1), bid(2, 1, S), bid(2, 1, S + 1)];
    const results = q5HotItems.loop(events.length, from(events));
    const byWindow = new Map<number, number[]>();
    for (const r of results) {
      assert.equal(r.count, 2);
      byWindow.set(r.windowStart, [...(byWindow.get(r.windowStart) ?? []), r.auction].sort());
    }
    assert.deepEqual(byWindow.get(T0 - Q5_WINDOW_MS + S), [1]);
    assert.deepEqual(byWindow.get(T0), [1, 2]);
    assert.deepEqual(byWindow.get(T0 + S), [2]);
    assert.equal(byWindow.size, windowsPerBid + 1);
  });
});
