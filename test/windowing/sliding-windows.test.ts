import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { EventTimeTrigger } from "../../src/windowing/event-time-trigger.ts";
import { ProcessingTimeTrigger } from "../../src/windowing/processing-time-trigger.ts";
import { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from "../../src/windowing/sliding-windows.ts";
import { TimeWindow } from "../../src/windowing/windows.ts";
import { isWindowError } from "./windowing-errors.ts";

const noClock = { getCurrentProcessingTime: () => assert.fail("event-time windows do not read the clock") };
const w = (start: number, end: number) => new TimeWindow(start, end);

describe("SlidingEventTimeWindows", () => {
  it("puts an element in every window of size that holds it, one per slide, latest first", () => {
    const assigner = SlidingEventTimeWindows.of(5000, 1000);
    assert.deepEqual(assigner.assignWindows("e", 0, noClock), [w(0, 5000), w(-1000, 4000), w(-2000, 3000), w(-3000, 2000), w(-4000, 1000)]);
    assert.deepEqual(assigner.assignWindows("e", 4999, noClock), [w(4000, 9000), w(3000, 8000), w(2000, 7000), w(1000, 6000), w(0, 5000)]);
  });

  it("gives each timestamp size / slide windows, each holding it", () => {
    const assigner = SlidingEventTimeWindows.of(6000, 2000, 500);
    for (let timestamp = -9_999; timestamp < 9_999; timestamp += 333) {
      const windows = assigner.assignWindows("e", timestamp, noClock);
      assert.equal(windows.length, 3);
      for (const window of windows) {
        assert.ok(window.start <= timestamp && timestamp <= window.maxTimestamp());
        assert.equal(window.end - window.start, 6000);
        assert.equal((((window.start - 500) % 2000) + 2000) % 2000, 0);
      }
    }
  });

  it("with a slide that does not divide the size, gives ceil or floor of size / slide windows", () => {
    const assigner = SlidingEventTimeWindows.of(5000, 2000);
    assert.deepEqual(assigner.assignWindows("e", 1000, noClock), [w(0, 5000), w(-2000, 3000)]);
    assert.deepEqual(assigner.assignWindows("e", 4500, noClock), [w(4000, 9000), w(2000, 7000), w(0, 5000)]);
  });

  it("gives, for any timestamps in any order, the windows a fresh assigner gives, however callers change the arrays", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 6 }), fc.array(fc.integer({ min: -40, max: 40 }), { maxLength: 40 }), (slide, extra, timestamps) => {
        const assigner = SlidingEventTimeWindows.of(slide + extra, slide);
        for (const timestamp of timestamps) {
          const windows = assigner.assignWindows("e", timestamp, noClock);
          assert.deepEqual(windows, SlidingEventTimeWindows.of(slide + extra, slide).assignWindows("e", timestamp, noClock));
          windows.reverse().pop();
        }
      }),
    );
  });

  it("gives the same window objects to consecutive elements in the same windows, and carries over those still open a slide later", () => {
    const assigner = SlidingEventTimeWindows.of(10_000, 2_000);
    const first = assigner.assignWindows("e", 12_000, noClock);
    const same = assigner.assignWindows("e", 13_999, noClock);
    first.forEach((window, i) => assert.equal(same[i], window));
    const next = assigner.assignWindows("e", 14_000, noClock);
    assert.deepEqual(next[0], w(14_000, 24_000));
    first.slice(0, 4).forEach((window, i) => assert.equal(next[i + 1], window));
  });

  it("places negative timestamps with negative offsets", () => {
    assert.deepEqual(SlidingEventTimeWindows.of(2000, 1000, -300).assignWindows("e", -1, noClock), [w(-300, 1700), w(-1300, 700)]);
  });

  it("slides equal to the size are tumbling windows", () => {
    assert.deepEqual(SlidingEventTimeWindows.of(1000, 1000).assignWindows("e", 1500, noClock), [w(1000, 2000)]);
  });

  it("is event time with the event-time trigger by default, and refuses records without a timestamp", () => {
    const assigner = SlidingEventTimeWindows.of(1000, 500);
    assert.equal(assigner.isEventTime(), true);
    assert.equal(assigner.getDefaultTrigger(), EventTimeTrigger.create());
    assert.throws(() => assigner.assignWindows("e", undefined, noClock), isWindowError("WEIR_ERR_MISSING_TIMESTAMP", "SlidingEventTimeWindows"));
  });

  it("refuses a size or slide not above 0, a slide larger than the size, and an offset not smaller than the slide", () => {
    assert.throws(() => SlidingEventTimeWindows.of(0, 1), isWindowError("WEIR_ERR_INVALID_WINDOW", "SlidingEventTimeWindows.of", "size"));
    assert.throws(() => SlidingEventTimeWindows.of(1000, 0), isWindowError("WEIR_ERR_INVALID_WINDOW", "slide", "0"));
    assert.throws(() => SlidingEventTimeWindows.of(1000, -10), isWindowError("WEIR_ERR_INVALID_WINDOW", "slide"));
    assert.throws(() => SlidingEventTimeWindows.of(1000, 2000), isWindowError("WEIR_ERR_INVALID_WINDOW", "slide (2000 ms)", "size (1000 ms)"));
    assert.throws(() => SlidingEventTimeWindows.of(1000, 100, 100), isWindowError("WEIR_ERR_INVALID_WINDOW", "offset", "slide"));
    assert.throws(() => SlidingEventTimeWindows.of(1000, 100, -150), isWindowError("WEIR_ERR_INVALID_WINDOW", "offset"));
  });
});

describe("SlidingProcessingTimeWindows", () => {
  it("places each element by the processing-time clock", () => {
    const assigner = SlidingProcessingTimeWindows.of(2000, 1000);
    assert.deepEqual(assigner.assignWindows("e", 123_456, { getCurrentProcessingTime: () => 1500 }), [w(1000, 3000), w(0, 2000)]);
  });

  it("is processing time with the processing-time trigger by default, and checks its arguments", () => {
    const assigner = SlidingProcessingTimeWindows.of(2000, 1000);
    assert.equal(assigner.isEventTime(), false);
    assert.equal(assigner.getDefaultTrigger(), ProcessingTimeTrigger.create());
    assert.throws(() => SlidingProcessingTimeWindows.of(1000, 1001), isWindowError("WEIR_ERR_INVALID_WINDOW", "SlidingProcessingTimeWindows.of"));
  });
});
