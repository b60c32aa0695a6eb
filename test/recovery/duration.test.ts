import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatDuration, parseDuration } from "../../src/recovery/duration.ts";

describe("durations", () => {
  it("read ms, s, m and h, with decimals that make whole milliseconds", () => {
    assert.deepEqual(
      ["250ms", "1s", "1.5s", "10m", "0.5m", "1h", "0", "0ms", "0.001s"].map(parseDuration),
      [250, 1_000, 1_500, 600_000, 30_000, 3_600_000, 0, 0, 1],
    );
  });

  it("refuse a number without a unit, an unknown unit, a sign, fractions of a millisecond, and anything else", () => {
    for (const text of ["10", "5x", "1d", "-1s", "+1s", "0.5ms", "0.0001s", "", "s", "1 s", "1S", "1e3ms", "99999999999999999ms"]) {
      assert.equal(parseDuration(text), undefined, text);
    }
  });

  it("are written in the largest unit that divides them", () => {
    assert.deepEqual([0, 1, 999, 1_000, 1_500, 60_000, 90_000, 3_600_000, 7_200_000].map(formatDuration), [
      "0",
      "1ms",
      "999ms",
      "1s",
      "1500ms",
      "1m",
      "90s",
      "1h",
      "2h",
    ]);
  });

  it("read back what they write", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ms) => assert.equal(parseDuration(formatDuration(ms)), ms)));
  });
});
