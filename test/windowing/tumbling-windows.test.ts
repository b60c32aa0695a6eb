import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventTimeTrigger } from "../../src/windowing/event-time-trigger.ts";
import { ProcessingTimeTrigger } from "../../src/windowing/processing-time-trigger.ts";
import { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from "../../src/windowing/tumbling-windows.ts";
import { TimeWindow } from "../../src/windowing/windows.ts";
import { isWindowError } from "./windowing-errors.ts";

const noClock = { getCurrentProcessingTime: () => assert.fail("event-time windows do not read the clock") };
const clockAt = (time: number) => ({ getCurrentProcessingTime: () => time });

describe("TumblingEventTimeWindows", () => {
  it("puts each element in the one window of its timestamp", () => {
    const assigner = TumblingEventTimeWindows.of(5000);
    assert.deepEqual(assigner.assignWindows("e", 0, noClock), [new TimeWindow(0, 5000)]);
    assert.deepEqual(assigner.assignWindows("e", 4999, noClock), [new TimeWindow(0, 5000)]);
    assert.deepEqual(assigner.assignWindows("e", 5000, noClock), [new TimeWindow(5000, 10000)]);
  });

  it("gives consecutive elements of one window the same window object, and a new one for the next window", () => {
    const assigner = TumblingEventTimeWindows.of(2_000);
    const [first] = assigner.assignWindows("e", 4_000, noClock);
    assert.equal(assigner.assignWindows("e", 5_999, noClock)[0], first);
    assert.deepEqual(assigner.assignWindows("e", 6_000, noClock), [new TimeWindow(6_000, 8_000)]);
    assert.deepEqual(assigner.assignWindows("e", 5_000, noClock), [new TimeWindow(4_000, 6_000)]);
  });

  it("places negative timestamps in windows before the epoch", () => {
    const assigner = TumblingEventTimeWindows.of(5000);
    assert.deepEqual(assigner.assignWindows("e", -1, noClock), [new TimeWindow(-5000, 0)]);
    assert.deepEqual(assigner.assignWindows("e", -5001, noClock), [new TimeWindow(-10000, -5000)]);
  });

  it("shifts window boundaries by a positive or negative offset", () => {
    assert.deepEqual(TumblingEventTimeWindows.of(5000, 100).assignWindows("e", 99, noClock), [new TimeWindow(-4900, 100)]);
    assert.deepEqual(TumblingEventTimeWindows.of(5000, 100).assignWindows("e", 100, noClock), [new TimeWindow(100, 5100)]);
    assert.deepEqual(TumblingEventTimeWindows.of(5000, -100).assignWindows("e", 4899, noClock), [new TimeWindow(-100, 4900)]);
    assert.deepEqual(TumblingEventTimeWindows.of(5000, -100).assignWindows("e", -101, noClock), [new TimeWindow(-5100, -100)]);
  });

  it("aligns days to a time zone with an offset, as Flink documents", () => {
    const day = 24 * 3600_000;
    const [window] = TumblingEventTimeWindows.of(day, -8 * 3600_000).assignWindows("e", Date.UTC(2026, 0, 2, 20), noClock);
    assert.equal(window!.start, Date.UTC(2026, 0, 2, 16));
  });

  it("is event time, fires by the watermark by default, and refuses records without a timestamp", () => {
    const assigner = TumblingEventTimeWindows.of(1000);
    assert.equal(assigner.isEventTime(), true);
    assert.equal(assigner.getDefaultTrigger(), EventTimeTrigger.create());
    assert.throws(() => assigner.assignWindows("e", undefined, noClock), isWindowError("WEIR_ERR_MISSING_TIMESTAMP", "TumblingEventTimeWindows"));
    assert.throws(() => assigner.assignWindows("e", Number.NaN, noClock), isWindowError("WEIR_ERR_MISSING_TIMESTAMP"));
  });

  it("refuses a size not above 0 and an offset not smaller than the size", () => {
    assert.throws(() => TumblingEventTimeWindows.of(0), isWindowError("WEIR_ERR_INVALID_WINDOW", "TumblingEventTimeWindows.of", "size", "0"));
    assert.throws(() => TumblingEventTimeWindows.of(-5), isWindowError("WEIR_ERR_INVALID_WINDOW", "size"));
    assert.throws(() => TumblingEventTimeWindows.of(Number.POSITIVE_INFINITY), isWindowError("WEIR_ERR_INVALID_WINDOW", "size"));
    assert.throws(() => TumblingEventTimeWindows.of(1000, 1000), isWindowError("WEIR_ERR_INVALID_WINDOW", "offset", "1000"));
    assert.throws(() => TumblingEventTimeWindows.of(1000, -1000), isWindowError("WEIR_ERR_INVALID_WINDOW", "offset"));
    assert.equal(TumblingEventTimeWindows.of(1000, 999).offset, 999);
  });
});

describe("TumblingProcessingTimeWindows", () => {
  it("places each element by the processing-time clock, ignoring its timestamp", () => {
    const assigner = TumblingProcessingTimeWindows.of(1000, 250);
    assert.deepEqual(assigner.assignWindows("e", 99_999, clockAt(1300)), [new TimeWindow(1250, 2250)]);
    assert.deepEqual(assigner.assignWindows("e", undefined, clockAt(1200)), [new TimeWindow(250, 1250)]);
  });

  it("is processing time, fires by the clock by default, and checks its arguments as the event-time form does", () => {
    const assigner = TumblingProcessingTimeWindows.of(1000);
    assert.equal(assigner.isEventTime(), false);
    assert.equal(assigner.getDefaultTrigger(), ProcessingTimeTrigger.create());
    assert.throws(() => TumblingProcessingTimeWindows.of(0), isWindowError("WEIR_ERR_INVALID_WINDOW", "TumblingProcessingTimeWindows.of"));
    assert.throws(() => TumblingProcessingTimeWindows.of(10, 20), isWindowError("WEIR_ERR_INVALID_WINDOW", "offset"));
  });
});
