import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Q8_WINDOW_MS, q8NewUsers } from "../../../bench/queries/q8-new-users.ts";
import { auction, bid, from, person, T0 } from "./events.ts";

const W = Q8_WINDOW_MS;

describe("q8 loop (new users)", () => {
  it("joins a person with each auction they opened in the window they registered in", () => {
    const events = [person(1000, "Ada", 0), bid(1, 1, 1), auction(1, 1000, 2), auction(2, 1000, W - 1), person(1001, "Bruno", W - 1), auction(3, 1002, W - 1)];
    assert.deepEqual(q8NewUsers.loop(events.length, from(events)), [
      { id: 1000, name: "Ada", windowStart: T0 },
      { id: 1000, name: "Ada", windowStart: T0 },
    ]);
  });

  it("leaves out auctions opened in a later window than the seller registered", () => {
    const events = [person(1000, "Ada", W - 1), auction(1, 1000, W), person(1001, "Bruno", W), auction(2, 1001, 2 * W - 1)];
    assert.deepEqual(q8NewUsers.loop(events.length, from(events)), [{ id: 1001, name: "Bruno", windowStart: T0 + W }]);
  });
});
