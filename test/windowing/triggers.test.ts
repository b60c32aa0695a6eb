import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger } from "../../src/windowing/continuous-triggers.ts";
import { CountTrigger } from "../../src/windowing/count-trigger.ts";
import { EventTimeTrigger } from "../../src/windowing/event-time-trigger.ts";
import { ProcessingTimeTrigger } from "../../src/windowing/processing-time-trigger.ts";
import { PurgingTrigger } from "../../src/windowing/purging-trigger.ts";
import { Trigger, TriggerResult } from "../../src/windowing/trigger.ts";
import { GlobalWindow, TimeWindow, type Window } from "../../src/windowing/windows.ts";
import { TriggerHarness } from "./trigger-harness.ts";
import { isWindowError } from "./windowing-errors.ts";

const w = (start: number, end: number) => new TimeWindow(start, end);
const { CONTINUE, FIRE, PURGE, FIRE_AND_PURGE } = TriggerResult;

describe("TriggerResult", () => {
  it("says whether to fire and whether to purge", () => {
    assert.deepEqual(
      [CONTINUE, FIRE, PURGE, FIRE_AND_PURGE].map((r) => [String(r), r.isFire(), r.isPurge()]),
      [
        ["CONTINUE", false, false],
        ["FIRE", true, false],
        ["PURGE", false, true],
        ["FIRE_AND_PURGE", true, true],
      ],
    );
  });
});

describe("EventTimeTrigger", () => {
  it("registers a timer at the window's max timestamp and fires when it goes off", () => {
    const h = new TriggerHarness(EventTimeTrigger.create());
    h.watermark = 100;
    assert.equal(h.onElement("e", 500, w(0, 1000)), CONTINUE);
    assert.deepEqual(h.timersOf(w(0, 1000)), ["event@999"]);
    assert.equal(h.onEventTime(999, w(0, 1000)), FIRE);
    assert.equal(h.onEventTime(500, w(0, 1000)), CONTINUE);
    assert.equal(h.onProcessingTime(999, w(0, 1000)), CONTINUE);
  });

  it("fires at once for an element of a window the watermark already passed (late, within the allowed lateness)", () => {
    const h = new TriggerHarness(EventTimeTrigger.create());
    h.watermark = 999;
    assert.equal(h.onElement("e", 10, w(0, 1000)), FIRE);
    assert.deepEqual(h.timersOf(w(0, 1000)), []);
  });

  it("on merge registers the merged window's timer unless the watermark passed it; clear deletes the timer", () => {
    const h = new TriggerHarness(EventTimeTrigger.create());
    h.watermark = 0;
    h.onMerge(w(0, 2000), []);
    assert.deepEqual(h.timersOf(w(0, 2000)), ["event@1999"]);
    h.clear(w(0, 2000));
    assert.deepEqual(h.timersOf(w(0, 2000)), []);
    h.watermark = 5000;
    h.onMerge(w(0, 3000), []);
    assert.deepEqual(h.timersOf(w(0, 3000)), []);
    assert.ok(EventTimeTrigger.create().canMerge());
  });
});

describe("ProcessingTimeTrigger", () => {
  it("registers a processing-time timer at the window's max timestamp and fires when it goes off", () => {
    const h = new TriggerHarness(ProcessingTimeTrigger.create());
    assert.equal(h.onElement("e", undefined, w(0, 1000)), CONTINUE);
    assert.deepEqual(h.timersOf(w(0, 1000)), ["processing@999"]);
    assert.equal(h.onProcessingTime(999, w(0, 1000)), FIRE);
    assert.equal(h.onEventTime(999, w(0, 1000)), CONTINUE);
    h.clear(w(0, 1000));
    assert.deepEqual(h.timersOf(w(0, 1000)), []);
  });

  it("on merge registers the merged window's timer unless the clock passed it", () => {
    const h = new TriggerHarness(ProcessingTimeTrigger.create());
    h.processingTime = 500;
    h.onMerge(w(0, 1000), []);
    h.onMerge(w(0, 400), []);
    assert.deepEqual(h.timersOf(w(0, 1000)), ["processing@999"]);
    assert.deepEqual(h.timersOf(w(0, 400)), []);
  });
});

describe("CountTrigger", () => {
  it("fires on every n-th element of a window, counting each window and key apart", () => {
    const h = new TriggerHarness<unknown, Window>(CountTrigger.of(3));
    const results = [1, 2, 3, 4, 5, 6, 7].map((e) => h.onElement(e, undefined, GlobalWindow.get()));
    assert.deepEqual(results, [CONTINUE, CONTINUE, FIRE, CONTINUE, CONTINUE, FIRE, CONTINUE]);
    assert.equal(h.onElement(1, undefined, w(0, 10)), CONTINUE, "another window starts at 0");
    h.backend.setCurrentKey("other");
    assert.equal(h.onElement(1, undefined, GlobalWindow.get()), CONTINUE);
    h.backend.setCurrentKey("key");
    assert.equal(h.onElement(8, undefined, GlobalWindow.get()), CONTINUE);
    assert.equal(h.onElement(9, undefined, GlobalWindow.get()), FIRE);
  });

  it("merges the counts of merged windows, and clear forgets the count", () => {
    const h = new TriggerHarness<unknown, Window>(CountTrigger.of(4));
    h.onElement(1, 0, w(0, 10));
    h.onElement(2, 0, w(0, 10));
    h.onElement(3, 5, w(5, 15));
    h.onMerge(w(0, 15), [w(0, 10), w(5, 15)]);
    assert.equal(h.onElement(4, 6, w(0, 15)), FIRE, "2 + 1 merged, + 1 = 4");
    h.onElement(5, 6, w(0, 15));
    h.clear(w(0, 15));
    assert.equal(h.backend.numKeys("count"), 0);
  });

  it("refuses a count that is not an integer above 0", () => {
    assert.throws(() => CountTrigger.of(0), isWindowError("WEIR_ERR_INVALID_WINDOW", "CountTrigger.of", "maxCount"));
    assert.throws(() => CountTrigger.of(1.5), isWindowError("WEIR_ERR_INVALID_WINDOW", "1.5"));
  });
});

describe("PurgingTrigger", () => {
  it("turns each FIRE of the trigger it wraps into FIRE_AND_PURGE and passes other results on", () => {
    const h = new TriggerHarness(PurgingTrigger.of(CountTrigger.of<GlobalWindow>(2)));
    assert.deepEqual([1, 2, 3, 4].map((e) => h.onElement(e, undefined, GlobalWindow.get())), [CONTINUE, FIRE_AND_PURGE, CONTINUE, FIRE_AND_PURGE]);
    const t = new TriggerHarness(PurgingTrigger.of(EventTimeTrigger.create()));
    assert.equal(t.onEventTime(999, w(0, 1000)), FIRE_AND_PURGE);
    assert.equal(t.onEventTime(5, w(0, 1000)), CONTINUE);
    assert.equal(PurgingTrigger.of(EventTimeTrigger.create()).canMerge(), true);
  });
});

describe("a trigger that cannot merge", () => {
  class FireAlways extends Trigger<unknown, Window> {
    onElement() {
      return FIRE;
    }
    onEventTime() {
      return CONTINUE;
    }
    onProcessingTime() {
      return CONTINUE;
    }
    clear() {}
  }

  it("says so, and refuses onMerge with a window error naming it", () => {
    const trigger = new FireAlways();
    assert.equal(trigger.canMerge(), false);
    assert.equal(PurgingTrigger.of(trigger).canMerge(), false);
    assert.throws(() => new TriggerHarness(trigger).onMerge(w(0, 1), []), isWindowError("WEIR_ERR_INVALID_WINDOW", "FireAlways", "merging"));
  });
});

describe("ContinuousEventTimeTrigger", () => {
  it("fires every interval of event time, aligned to the interval, and at the window's end", () => {
    const h = new TriggerHarness(ContinuousEventTimeTrigger.of(1000));
    const window = w(0, 3500);
    assert.equal(h.onElement("e", 1234, window), CONTINUE);
    assert.deepEqual(h.timersOf(window), ["event@2000", "event@3499"]);
    assert.equal(h.onEventTime(2000, window), FIRE);
    assert.deepEqual(h.timersOf(window), ["event@2000", "event@3000", "event@3499"]);
    assert.equal(h.onEventTime(2500, window), CONTINUE);
    assert.equal(h.onEventTime(3000, window), FIRE);
    assert.ok(h.timersOf(window).includes("event@3499"), "the next fire is capped at the window's end");
    assert.equal(h.onEventTime(3499, window), FIRE);
  });

  it("fires at once for a window the watermark passed; clear deletes the pending fire and its state", () => {
    const h = new TriggerHarness(ContinuousEventTimeTrigger.of(1000));
    h.watermark = 5000;
    assert.equal(h.onElement("e", 10, w(0, 1000)), FIRE);
    h.watermark = 0;
    h.onElement("e", 10, w(0, 5000));
    h.clear(w(0, 5000));
    assert.deepEqual(h.timersOf(w(0, 5000)), ["event@4999"]);
    assert.equal(h.backend.numKeys("fire-time"), 0);
  });

  it("merged windows fire at the earliest of their next fire times", () => {
    const h = new TriggerHarness<unknown, Window>(ContinuousEventTimeTrigger.of(1000));
    h.onElement("a", 2500, w(2500, 6000));
    h.onElement("b", 1200, w(1200, 4000));
    h.onMerge(w(1200, 6000), [w(2500, 6000), w(1200, 4000)]);
    assert.deepEqual(h.timersOf(w(1200, 6000)), ["event@2000"]);
  });

  it("refuses an interval not above 0", () => {
    assert.throws(() => ContinuousEventTimeTrigger.of(0), isWindowError("WEIR_ERR_INVALID_WINDOW", "ContinuousEventTimeTrigger.of", "interval"));
  });
});

describe("ContinuousProcessingTimeTrigger", () => {
  it("fires every interval of processing time, aligned to the interval", () => {
    const h = new TriggerHarness(ContinuousProcessingTimeTrigger.of(100));
    h.processingTime = 1234;
    const window = w(0, 10_000);
    assert.equal(h.onElement("e", undefined, window), CONTINUE);
    assert.deepEqual(h.timersOf(window), ["processing@1300"]);
    assert.equal(h.onProcessingTime(1300, window), FIRE);
    assert.deepEqual(h.timersOf(window), ["processing@1300", "processing@1400"]);
    assert.equal(h.onProcessingTime(1350, window), CONTINUE);
    assert.equal(h.onEventTime(1400, window), CONTINUE);
    h.clear(window);
    assert.deepEqual(h.timersOf(window), ["processing@1300"]);
    assert.throws(() => ContinuousProcessingTimeTrigger.of(-1), isWindowError("WEIR_ERR_INVALID_WINDOW", "interval"));
  });
});
