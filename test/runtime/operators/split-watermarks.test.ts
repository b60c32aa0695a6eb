import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SplitWatermarks } from "../../../src/runtime/operators/split-watermarks.ts";
import { BoundedOutOfOrdernessWatermarks, WatermarksWithIdleness, type WatermarkOutput } from "../../../src/api/watermark-generators.ts";
import type { Watermark } from "../../../src/core/watermark.ts";

/** What the combination said, in order: watermarks as numbers, "idle" and "active" on changes. */
function recorder(): { said: (number | string)[]; output: WatermarkOutput } {
  const said: (number | string)[] = [];
  let idle = false;
  let last = Number.NEGATIVE_INFINITY;
  return {
    said,
    output: {
      emitWatermark: (w: Watermark) => {
        if (w.timestamp > last) said.push((last = w.timestamp));
      },
      markIdle: () => {
        if (!idle) said.push("idle");
        idle = true;
      },
      markActive: () => {
        if (idle) said.push("active");
        idle = false;
      },
    },
  };
}

describe("split watermarks", () => {
  it("holds the watermark at the slowest split's", () => {
    const { said, output } = recorder();
    const w = new SplitWatermarks<string>(() => new BoundedOutOfOrdernessWatermarks<string>(0), output);
    w.onEvent("p0", "a", 1000);
    w.onEvent("p1", "b", 200);
    w.onPeriodicEmit();
    w.onEvent("p1", "c", 5000);
    w.onPeriodicEmit();
    assert.deepEqual(said, [199, 999]);
  });

  it("stops counting a released split", () => {
    const { said, output } = recorder();
    const w = new SplitWatermarks<string>(() => new BoundedOutOfOrdernessWatermarks<string>(0), output);
    w.onEvent("p0", "a", 1000);
    w.onEvent("p1", "b", 200);
    w.onPeriodicEmit();
    w.release("p1");
    assert.deepEqual(said, [199, 999]);
  });

  it("leaves idle splits out of the minimum, and is idle when every split is", () => {
    let now = 0;
    const clock = { now: () => now };
    const { said, output } = recorder();
    const w = new SplitWatermarks<string>(() => new WatermarksWithIdleness(new BoundedOutOfOrdernessWatermarks<string>(0), 100, clock as never), output);
    w.onEvent("p0", "a", 1000);
    w.onEvent("p1", "b", 200);
    w.onPeriodicEmit();
    now = 50;
    w.onEvent("p0", "c", 2000);
    w.onPeriodicEmit();
    now = 200;
    w.onPeriodicEmit(); // p1 has been quiet since 50: idle
    now = 400;
    w.onPeriodicEmit();
    assert.deepEqual(said.slice(0, 2), [199, 1999]);
    w.onPeriodicEmit();
    now = 1000;
    w.onPeriodicEmit();
    w.onPeriodicEmit();
    assert.equal(said.at(-1), "idle");
  });

  it("behaves as one generator when records carry no split", () => {
    const { said, output } = recorder();
    const w = new SplitWatermarks<string>(() => new BoundedOutOfOrdernessWatermarks<string>(10), output);
    w.onEvent(undefined, "a", 100);
    w.onPeriodicEmit();
    w.onEvent(undefined, "b", 50);
    w.onPeriodicEmit();
    assert.deepEqual(said, [89]);
  });
});
