import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventTimeTrigger } from "../../src/windowing/event-time-trigger.ts";
import { ProcessingTimeTrigger } from "../../src/windowing/processing-time-trigger.ts";
import {
  DynamicEventTimeSessionWindows,
  DynamicProcessingTimeSessionWindows,
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
} from "../../src/windowing/session-windows.ts";
import { isMergingWindowAssigner } from "../../src/windowing/window-assigner.ts";
import { TimeWindow } from "../../src/windowing/windows.ts";
import { isWindowError } from "./windowing-errors.ts";

const noClock = { getCurrentProcessingTime: () => assert.fail("event-time sessions do not read the clock") };
const w = (start: number, end: number) => new TimeWindow(start, end);

describe("EventTimeSessionWindows", () => {
  it("opens a window of the gap at each element's timestamp", () => {
    assert.deepEqual(EventTimeSessionWindows.withGap(3000).assignWindows("e", 1000, noClock), [w(1000, 4000)]);
    assert.deepEqual(EventTimeSessionWindows.withGap(3000).assignWindows("e", -500, noClock), [w(-500, 2500)]);
  });

  it("merges the windows of elements closer than the gap, and of elements exactly a gap apart", () => {
    const assigner = EventTimeSessionWindows.withGap(3000);
    const merges: [TimeWindow[], TimeWindow][] = [];
    const windows = [1000, 3500, 6500, 20_000].flatMap((t) => assigner.assignWindows("e", t, noClock));
    assigner.mergeWindows(windows, (toBeMerged, result) => merges.push([toBeMerged, result]));
    assert.deepEqual(merges, [[[w(1000, 4000), w(3500, 6500), w(6500, 9500)], w(1000, 9500)]]);
  });

  it("is a merging, event-time assigner with the event-time trigger by default", () => {
    const assigner = EventTimeSessionWindows.withGap(10);
    assert.ok(isMergingWindowAssigner(assigner));
    assert.equal(assigner.isEventTime(), true);
    assert.equal(assigner.getDefaultTrigger(), EventTimeTrigger.create());
    assert.throws(() => assigner.assignWindows("e", undefined, noClock), isWindowError("WEIR_ERR_MISSING_TIMESTAMP"));
  });

  it("refuses a gap not above 0", () => {
    assert.throws(() => EventTimeSessionWindows.withGap(0), isWindowError("WEIR_ERR_INVALID_WINDOW", "EventTimeSessionWindows.withGap", "gap"));
    assert.throws(() => EventTimeSessionWindows.withGap(-1), isWindowError("WEIR_ERR_INVALID_WINDOW", "gap"));
  });
});

describe("dynamic-gap sessions", () => {
  type Click = { user: string; gap: number };

  it("take each element's gap from the extractor, a function or an object", () => {
    const byFunction = EventTimeSessionWindows.withDynamicGap<Click>((c) => c.gap);
    const byObject = DynamicEventTimeSessionWindows.withDynamicGap<Click>({ extract: (c) => c.gap * 2 });
    assert.deepEqual(byFunction.assignWindows({ user: "a", gap: 100 }, 1000, noClock), [w(1000, 1100)]);
    assert.deepEqual(byObject.assignWindows({ user: "a", gap: 100 }, 1000, noClock), [w(1000, 1200)]);
    assert.ok(isMergingWindowAssigner(byFunction));
  });

  it("refuse, per element, a gap the extractor gives that is not above 0", () => {
    const assigner = EventTimeSessionWindows.withDynamicGap<Click>((c) => c.gap);
    assert.throws(() => assigner.assignWindows({ user: "a", gap: 0 }, 1000, noClock), isWindowError("WEIR_ERR_INVALID_WINDOW", "gap extractor returned 0"));
    assert.throws(() => assigner.assignWindows({ user: "a", gap: Number.NaN }, 1000, noClock), isWindowError("WEIR_ERR_INVALID_WINDOW", "NaN"));
  });

  it("refuse an extractor that is neither a function nor an object with extract", () => {
    assert.throws(() => EventTimeSessionWindows.withDynamicGap(42 as never), isWindowError("WEIR_ERR_INVALID_WINDOW", "extractor"));
    assert.throws(() => ProcessingTimeSessionWindows.withDynamicGap({} as never), isWindowError("WEIR_ERR_INVALID_WINDOW", "extractor"));
  });

  it("in processing time, open the window at the clock's time", () => {
    const assigner = DynamicProcessingTimeSessionWindows.withDynamicGap<Click>((c) => c.gap);
    assert.deepEqual(assigner.assignWindows({ user: "a", gap: 50 }, undefined, { getCurrentProcessingTime: () => 700 }), [w(700, 750)]);
    assert.equal(assigner.isEventTime(), false);
  });
});

describe("ProcessingTimeSessionWindows", () => {
  it("opens the window at the clock's time, with the processing-time trigger by default", () => {
    const assigner = ProcessingTimeSessionWindows.withGap(100);
    assert.deepEqual(assigner.assignWindows("e", 99_999, { getCurrentProcessingTime: () => 40 }), [w(40, 140)]);
    assert.equal(assigner.isEventTime(), false);
    assert.equal(assigner.getDefaultTrigger(), ProcessingTimeTrigger.create());
    assert.throws(() => ProcessingTimeSessionWindows.withGap(0), isWindowError("WEIR_ERR_INVALID_WINDOW", "ProcessingTimeSessionWindows.withGap"));
  });
});
