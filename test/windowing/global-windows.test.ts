import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GlobalWindows } from "../../src/windowing/global-windows.ts";
import { NeverTrigger } from "../../src/windowing/never-trigger.ts";
import { TriggerResult } from "../../src/windowing/trigger.ts";
import { GlobalWindow } from "../../src/windowing/windows.ts";
import { TriggerHarness } from "./trigger-harness.ts";

describe("GlobalWindows", () => {
  it("puts every element in the one global window", () => {
    const assigner = GlobalWindows.create();
    const clock = { getCurrentProcessingTime: () => 0 };
    assert.deepEqual(assigner.assignWindows("a", undefined, clock), [GlobalWindow.get()]);
    assert.equal(assigner.assignWindows("b", 5, clock)[0], GlobalWindow.get());
  });

  it("is not event time, and by default never fires", () => {
    const assigner = GlobalWindows.create();
    assert.equal(assigner.isEventTime(), false);
    const trigger = assigner.getDefaultTrigger();
    assert.ok(trigger instanceof NeverTrigger);
    const harness = new TriggerHarness(trigger);
    harness.watermark = Number.MAX_SAFE_INTEGER;
    for (let i = 0; i < 5; i++) assert.equal(harness.onElement(i, i, GlobalWindow.get()), TriggerResult.CONTINUE);
    assert.equal(harness.onEventTime(Number.MAX_SAFE_INTEGER, GlobalWindow.get()), TriggerResult.CONTINUE);
    assert.equal(harness.onProcessingTime(1, GlobalWindow.get()), TriggerResult.CONTINUE);
    assert.deepEqual(harness.timersOf(GlobalWindow.get()), []);
  });
});
