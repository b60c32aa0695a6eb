import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Q7_WINDOW_MS, q7HighestBid } from "../../../bench/queries/q7-highest-bid.ts";
import { auction, bid, from, person } from "./events.ts";

const W = Q7_WINDOW_MS;

describe("q7 loop (highest bid)", () => {
  it("gives each window's bids with the highest price, ties included, and only bids", () => {
    const events = [bid(1, 50, 0), person(1000, "Ada", 1), bid(2, 90, 10), auction(5, 1000, 20), bid(3, 90, W - 1), bid(4, 20, W), bid(5, 10, W + 1)];
    const results = q7HighestBid.loop(events.length, from(events));
    assert.deepEqual(
      results.map((r) => [r.auction, r.price, r.dateTime - events[0]!.dateTime]),
      [
        [2, 90, 10],
        [3, 90, W - 1],
        [4, 20, W],
      ],
    );
  });

  it("leaves out windows without bids", () => {
    const events = [bid(1, 5, 0), bid(2, 6, 3 * W)];
    assert.deepEqual(
      q7HighestBid.loop(events.length, from(events)).map((r) => r.auction),
      [1, 2],
    );
  });
});
