import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { countWindow } from "../../src/windowing/count-windows.ts";
import { TimestampedValue } from "../../src/windowing/evictor.ts";
import { GlobalWindows } from "../../src/windowing/global-windows.ts";
import { TriggerResult } from "../../src/windowing/trigger.ts";
import { GlobalWindow } from "../../src/windowing/windows.ts";
import { TriggerHarness } from "./trigger-harness.ts";
import { isWindowError } from "./windowing-errors.ts";

const ctx = { getCurrentProcessingTime: () => 0, getCurrentWatermark: () => 0 };

/** Runs elements through a count window's trigger and evictor as the window operator will: the contents each firing sees. */
function firings(size: number, slide: number | undefined, elements: number[]): number[][] {
  const spec = countWindow<number>(size, slide);
  const harness = new TriggerHarness(spec.trigger);
  let contents: TimestampedValue<number>[] = [];
  const out: number[][] = [];
  for (const element of elements) {
    const [window] = spec.assigner.assignWindows(element, undefined, { getCurrentProcessingTime: () => 0 });
    contents.push(new TimestampedValue(element));
    const result = harness.onElement(element, undefined, window!);
    if (result.isFire()) {
      spec.evictor?.evictBefore(contents, contents.length, window!, ctx);
      out.push(contents.map((e) => e.value));
      spec.evictor?.evictAfter(contents, contents.length, window!, ctx);
    }
    if (result.isPurge()) contents = [];
  }
  return out;
}

describe("countWindow", () => {
  it("countWindow(n) is a global window that fires and purges every n elements", () => {
    const spec = countWindow(3);
    assert.equal(spec.assigner, GlobalWindows.create());
    assert.equal(spec.evictor, undefined);
    assert.equal(String(spec.trigger), "PurgingTrigger(CountTrigger(3))");
    assert.deepEqual(firings(3, undefined, [1, 2, 3, 4, 5, 6, 7]), [[1, 2, 3], [4, 5, 6]]);
  });

  it("countWindow(n, slide) fires every slide elements over the last n, kept by a CountEvictor", () => {
    const spec = countWindow(4, 2);
    assert.equal(String(spec.trigger), "CountTrigger(2)");
    assert.equal(String(spec.evictor), "CountEvictor(4)");
    assert.deepEqual(firings(4, 2, [1, 2, 3, 4, 5, 6, 7]), [[1, 2], [1, 2, 3, 4], [3, 4, 5, 6]]);
  });

  it("the trigger of a count window never fires on time", () => {
    const harness = new TriggerHarness(countWindow(2).trigger);
    assert.equal(harness.onEventTime(GlobalWindow.get().maxTimestamp(), GlobalWindow.get()), TriggerResult.CONTINUE);
  });

  it("refuses a size or slide that is not an integer above 0", () => {
    assert.throws(() => countWindow(0), isWindowError("WEIR_ERR_INVALID_WINDOW", "countWindow", "size"));
    assert.throws(() => countWindow(5, 0), isWindowError("WEIR_ERR_INVALID_WINDOW", "countWindow", "slide"));
    assert.throws(() => countWindow(2.5), isWindowError("WEIR_ERR_INVALID_WINDOW", "2.5"));
  });
});
