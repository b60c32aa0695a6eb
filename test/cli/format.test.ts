import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatCount, formatDuration, formatRate } from "../../src/cli/format.ts";

describe("formatCount", () => {
  it("shows counts below a thousand as whole numbers", () => {
    assert.equal(formatCount(0), "0");
    assert.equal(formatCount(412), "412");
    assert.equal(formatCount(999), "999");
  });

  it("uses k, M and G with one decimal below a hundred units", () => {
    assert.equal(formatCount(1000), "1.0k");
    assert.equal(formatCount(12_345), "12.3k");
    assert.equal(formatCount(350_000), "350k");
    assert.equal(formatCount(1_234_567), "1.2M");
    assert.equal(formatCount(2_500_000_000), "2.5G");
  });

  it("moves to the next unit when rounding would show a thousand", () => {
    assert.equal(formatCount(999_600), "1.0M");
    assert.equal(formatCount(99_960), "100k");
  });

  it("never needs more than five characters for a count below a quadrillion", () => {
    for (let n = 1; n < 1e15; n *= 3.7) assert.ok(formatCount(n).length <= 5, `${n} gave ${formatCount(n)}`);
  });
});

describe("formatRate", () => {
  it("appends per second to a count", () => {
    assert.equal(formatRate(350_000), "350k/s");
  });
});

describe("formatDuration", () => {
  it("shows milliseconds below a second, tenths of seconds below a minute", () => {
    assert.equal(formatDuration(340), "340ms");
    assert.equal(formatDuration(4_230), "4.2s");
    assert.equal(formatDuration(59_900), "59.9s");
  });

  it("shows minutes and hours with zero-padded seconds", () => {
    assert.equal(formatDuration(59_960), "1m00s");
    assert.equal(formatDuration(185_000), "3m05s");
    assert.equal(formatDuration(3_723_000), "1h02m03s");
  });
});
