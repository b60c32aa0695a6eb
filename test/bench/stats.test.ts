import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatSummary, median, ratios, summarize } from "../../bench/stats.ts";

describe("median", () => {
  it("is the middle value of an odd count, whatever the order", () => {
    assert.equal(median([5, 1, 4, 2, 3]), 3);
  });

  it("is the mean of the two middle values of an even count", () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([10, 20]), 15);
  });

  it("is NaN for no values", () => {
    assert.ok(Number.isNaN(median([])));
  });

  it("leaves the values it was given in their order", () => {
    const values = [3, 1, 2];
    median(values);
    assert.deepEqual(values, [3, 1, 2]);
  });
});

describe("summarize", () => {
  it("gives the median and the smallest and largest value", () => {
    assert.deepEqual(summarize([7, 3, 9, 4, 5]), { median: 5, min: 3, max: 9 });
  });

  it("of one value has no spread", () => {
    assert.deepEqual(summarize([2]), { median: 2, min: 2, max: 2 });
  });

  it("of no values is NaN throughout", () => {
    const s = summarize([]);
    assert.ok(Number.isNaN(s.median) && Number.isNaN(s.min) && Number.isNaN(s.max));
  });
});

describe("ratios", () => {
  it("divides pair by pair", () => {
    assert.deepEqual(ratios([2, 9], [4, 3]), [0.5, 3]);
  });

  it("refuses lists of different lengths", () => {
    assert.throws(() => ratios([1, 2], [1]), /2 against 1/);
  });
});

describe("formatSummary", () => {
  it("prints the median and then the range", () => {
    assert.equal(formatSummary({ median: 0.914, min: 0.88, max: 0.951 }, (v) => v.toFixed(2)), "0.91 (0.88–0.95)");
  });

  it("prints the median alone when the range formats to one value", () => {
    assert.equal(formatSummary({ median: 1.001, min: 1.0, max: 1.004 }, (v) => v.toFixed(2)), "1.00");
  });
});
