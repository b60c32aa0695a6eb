import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TimestampedValue } from "../../src/windowing/evictor.ts";
import { CountEvictor, DeltaEvictor, TimeEvictor } from "../../src/windowing/evictors.ts";
import { GlobalWindow } from "../../src/windowing/windows.ts";
import { isWindowError } from "./windowing-errors.ts";

const ctx = { getCurrentProcessingTime: () => 0, getCurrentWatermark: () => 0 };
const window = GlobalWindow.get();
const stamped = (...pairs: [number, number | undefined][]) => pairs.map(([v, t]) => new TimestampedValue(v, t));
const values = (elements: TimestampedValue<number>[]) => elements.map((e) => e.getValue());

describe("CountEvictor", () => {
  it("keeps the newest n elements, evicting before the function by default", () => {
    const elements = stamped([1, 0], [2, 0], [3, 0], [4, 0], [5, 0]);
    CountEvictor.of<number>(3).evictBefore(elements, elements.length, window, ctx);
    assert.deepEqual(values(elements), [3, 4, 5]);
    CountEvictor.of<number>(3).evictAfter(elements, elements.length, window, ctx);
    assert.deepEqual(values(elements), [3, 4, 5]);
  });

  it("leaves windows of n or fewer elements alone, and with doEvictAfter evicts only after the function", () => {
    const few = stamped([1, 0], [2, 0]);
    CountEvictor.of<number>(2).evictBefore(few, few.length, window, ctx);
    assert.deepEqual(values(few), [1, 2]);
    const after = CountEvictor.of<number>(1, true);
    const elements = stamped([1, 0], [2, 0], [3, 0]);
    after.evictBefore(elements, 3, window, ctx);
    assert.deepEqual(values(elements), [1, 2, 3]);
    after.evictAfter(elements, 3, window, ctx);
    assert.deepEqual(values(elements), [3]);
  });

  it("refuses a count that is not an integer above 0", () => {
    assert.throws(() => CountEvictor.of(0), isWindowError("WEIR_ERR_INVALID_WINDOW", "CountEvictor.of", "maxCount"));
  });
});

describe("TimeEvictor", () => {
  it("keeps the elements newer than the window size before the newest timestamp, in order", () => {
    const elements = stamped([1, 1000], [2, 4000], [3, 2500], [4, 3000], [5, 2000]);
    TimeEvictor.of<number>(2000).evictBefore(elements, elements.length, window, ctx);
    assert.deepEqual(values(elements), [2, 3, 4], "cutoff 4000 - 2000 = 2000: timestamps at or below it go");
  });

  it("keeps everything when elements have no timestamps", () => {
    const elements = stamped([1, undefined], [2, undefined]);
    TimeEvictor.of<number>(0).evictBefore(elements, elements.length, window, ctx);
    assert.deepEqual(values(elements), [1, 2]);
  });

  it("with doEvictAfter evicts only after the function; refuses a negative size", () => {
    const elements = stamped([1, 0], [2, 10]);
    const after = TimeEvictor.of<number>(5, true);
    after.evictBefore(elements, 2, window, ctx);
    assert.equal(elements.length, 2);
    after.evictAfter(elements, 2, window, ctx);
    assert.deepEqual(values(elements), [2]);
    assert.throws(() => TimeEvictor.of(-1), isWindowError("WEIR_ERR_INVALID_WINDOW", "TimeEvictor.of", "windowSize"));
  });
});

describe("DeltaEvictor", () => {
  it("evicts the elements whose delta to the newest element reaches the threshold", () => {
    const elements = stamped([1, 0], [8, 0], [5, 0], [10, 0]);
    DeltaEvictor.of<number>(5, (a, b) => Math.abs(a - b)).evictBefore(elements, elements.length, window, ctx);
    assert.deepEqual(values(elements), [8, 10]);
    const again = stamped([1, 0], [9, 0]);
    DeltaEvictor.of<number>(3, { getDelta: (a, b) => b - a }).evictBefore(again, 2, window, ctx);
    assert.deepEqual(values(again), [9]);
  });
});
