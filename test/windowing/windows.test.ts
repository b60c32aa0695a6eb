import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WeirError } from "../../src/core/errors.ts";
import { canonicalKey, normalizeKey } from "../../src/core/key-groups.ts";
import { GlobalWindow, MAX_TIMESTAMP, TimeWindow, globalWindowSerializer, timeWindowSerializer } from "../../src/windowing/windows.ts";

const w = (start: number, end: number) => new TimeWindow(start, end);

describe("TimeWindow", () => {
  it("holds [start, end): its max timestamp is end - 1", () => {
    assert.equal(w(0, 5000).maxTimestamp(), 4999);
    assert.equal(w(-5000, 0).maxTimestamp(), -1);
  });

  it("intersects windows that overlap or touch, not windows apart", () => {
    assert.ok(w(0, 10).intersects(w(5, 15)));
    assert.ok(w(0, 10).intersects(w(10, 20)), "touching windows intersect, so sessions that meet merge");
    assert.ok(w(10, 20).intersects(w(0, 10)));
    assert.ok(!w(0, 10).intersects(w(11, 20)));
  });

  it("covers two windows with the smallest window holding both", () => {
    assert.deepEqual(w(5, 8).cover(w(0, 6)), w(0, 8));
    assert.deepEqual(w(0, 3).cover(w(7, 9)), w(0, 9));
  });

  it("is equal to, and one namespace with, a window of the same start and end", () => {
    assert.ok(w(1, 2).equals(w(1, 2)));
    assert.ok(!w(1, 2).equals(w(1, 3)));
    assert.equal(normalizeKey(w(1, 2)), normalizeKey(w(1, 2)));
    assert.notEqual(normalizeKey(w(1, 2)), normalizeKey(w(1, 3)));
  });

  it("normalizes as the general form of its [start, end] would, for many windows in turn and for bounds JSON cannot write", () => {
    const windows: TimeWindow[] = [];
    for (let i = 0; i < 2_000; i++) windows.push(w(i * 1000, i * 1000 + 3000), w(-i * 7, i * 13 + 0.5));
    windows.push(w(-Infinity, Infinity), w(Number.NaN, 0), w(-0, 5), w(MAX_TIMESTAMP - 1, MAX_TIMESTAMP));
    // Twice over, so that windows met before, and windows whose place was taken since, are both asked for again.
    for (const window of [...windows, ...windows]) assert.equal(normalizeKey(window), `\u0001${canonicalKey([window.start, window.end])}`);
    assert.equal(normalizeKey(w(Number.NaN, 0)), normalizeKey(w(Number.NaN, 0)));
  });

  describe("getWindowStartWithOffset", () => {
    const cases: [timestamp: number, offset: number, size: number, start: number][] = [
      [0, 0, 5000, 0],
      [4999, 0, 5000, 0],
      [5000, 0, 5000, 5000],
      [7777, 0, 5000, 5000],
      [-1, 0, 5000, -5000],
      [-5000, 0, 5000, -5000],
      [-5001, 0, 5000, -10000],
      [7777, 1000, 5000, 6000],
      [5999, 1000, 5000, 1000],
      [999, 1000, 5000, -4000],
      [7777, -1000, 5000, 4000],
      [3999, -1000, 5000, -1000],
      [-1, -1000, 5000, -1000],
      [-1001, -1000, 5000, -6000],
      [-1, 1000, 5000, -4000],
    ];
    for (const [timestamp, offset, size, start] of cases) {
      it(`puts ${timestamp} with offset ${offset} in the window of ${size} starting at ${start}`, () => {
        assert.equal(TimeWindow.getWindowStartWithOffset(timestamp, offset, size), start);
      });
    }

    it("always gives a start at or before the timestamp, less than a size before it, aligned to the offset", () => {
      for (let timestamp = -12_345; timestamp <= 12_345; timestamp += 617) {
        for (const offset of [-4999, -3, 0, 7, 4999]) {
          const start = TimeWindow.getWindowStartWithOffset(timestamp, offset, 5000);
          assert.ok(start <= timestamp && timestamp < start + 5000, `${timestamp} in [${start}, ${start + 5000})`);
          assert.equal((((start - offset) % 5000) + 5000) % 5000, 0);
        }
      }
    });
  });

  describe("mergeWindows", () => {
    const merges = (windows: TimeWindow[]) => {
      const out: [TimeWindow[], TimeWindow][] = [];
      TimeWindow.mergeWindows(windows, (toBeMerged, result) => out.push([toBeMerged, result]));
      return out;
    };

    it("reports each run of overlapping or touching windows with its cover, and not lone windows", () => {
      assert.deepEqual(merges([w(20, 25), w(0, 10), w(30, 40), w(5, 12), w(12, 15)]), [[[w(0, 10), w(5, 12), w(12, 15)], w(0, 15)]]);
    });

    it("reports nothing when no windows meet", () => {
      assert.deepEqual(merges([w(0, 1), w(2, 3), w(10, 20)]), []);
    });

    it("reports separate runs separately", () => {
      assert.deepEqual(merges([w(0, 5), w(4, 8), w(20, 25), w(22, 30)]), [
        [[w(0, 5), w(4, 8)], w(0, 8)],
        [[w(20, 25), w(22, 30)], w(20, 30)],
      ]);
    });
  });
});

describe("GlobalWindow", () => {
  it("is one window that never ends", () => {
    assert.equal(GlobalWindow.get(), GlobalWindow.get());
    assert.equal(GlobalWindow.get().maxTimestamp(), MAX_TIMESTAMP);
    assert.ok(GlobalWindow.get().equals(GlobalWindow.get()));
  });
});

describe("window serializers", () => {
  it("a time window is stored as plain data and read back with its methods", () => {
    const stored = structuredClone(timeWindowSerializer.toStored(w(-10, 20)));
    const back = timeWindowSerializer.fromStored(stored);
    assert.ok(back instanceof TimeWindow);
    assert.equal(back.maxTimestamp(), 19);
  });

  it("a stored time window that is not a pair of numbers is corrupt state", () => {
    assert.throws(() => timeWindowSerializer.fromStored({ start: 1 }), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CORRUPT");
  });

  it("the global window reads back as the one global window", () => {
    assert.equal(globalWindowSerializer.fromStored(structuredClone(globalWindowSerializer.toStored(GlobalWindow.get()))), GlobalWindow.get());
  });
});
