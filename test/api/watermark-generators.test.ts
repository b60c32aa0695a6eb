import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import { MIN_WATERMARK, type Watermark } from "../../src/core/watermark.ts";
import {
  AscendingTimestampsWatermarks,
  BoundedOutOfOrdernessWatermarks,
  WatermarksWithIdleness,
  type WatermarkGenerator,
  type WatermarkOutput,
} from "../../src/api/watermark-generators.ts";

type Emitted = number | "idle" | "active";

function output(): WatermarkOutput & { emitted: Emitted[] } {
  const emitted: Emitted[] = [];
  return {
    emitted,
    emitWatermark: (w: Watermark) => void emitted.push(w.getTimestamp()),
    markIdle: () => void emitted.push("idle"),
    markActive: () => void emitted.push("active"),
  };
}

function feed(generator: WatermarkGenerator<unknown>, out: WatermarkOutput, ...timestamps: number[]): void {
  for (const t of timestamps) generator.onEvent({}, t, out);
}

describe("BoundedOutOfOrdernessWatermarks", () => {
  it("emits the highest timestamp seen minus the out-of-orderness minus 1, on each periodic call", () => {
    const generator = new BoundedOutOfOrdernessWatermarks<unknown>(5);
    const out = output();
    feed(generator, out, 10, 30, 20);
    assert.deepEqual(out.emitted, [], "events alone emit nothing");
    generator.onPeriodicEmit(out);
    assert.deepEqual(out.emitted, [24]);
    feed(generator, out, 25);
    generator.onPeriodicEmit(out);
    assert.deepEqual(out.emitted, [24, 24], "a late event does not move it back");
  });

  it("emits the minimum watermark before any event", () => {
    const out = output();
    new BoundedOutOfOrdernessWatermarks<unknown>(1_000).onPeriodicEmit(out);
    assert.deepEqual(out.emitted, [MIN_WATERMARK]);
  });

  it("refuses an out-of-orderness that is not zero or more milliseconds", () => {
    for (const bad of [-1, Number.NaN, Infinity]) {
      assert.throws(() => new BoundedOutOfOrdernessWatermarks(bad), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /out-of-orderness/ });
    }
  });
});

describe("AscendingTimestampsWatermarks", () => {
  it("is bounded out-of-orderness with no delay: the highest timestamp minus 1", () => {
    const generator = new AscendingTimestampsWatermarks<unknown>();
    const out = output();
    feed(generator, out, 7, 9);
    generator.onPeriodicEmit(out);
    assert.deepEqual(out.emitted, [8]);
  });
});

describe("WatermarksWithIdleness", () => {
  it("marks the input idle once no event came for the timeout, counted from the first quiet check, and active at the next event", () => {
    const clock = new ManualClock(1_000);
    const generator = new WatermarksWithIdleness(new AscendingTimestampsWatermarks<unknown>(), 100, clock);
    const out = output();
    feed(generator, out, 50);
    generator.onPeriodicEmit(out);
    assert.deepEqual(out.emitted, [49]);
    clock.advance(60);
    generator.onPeriodicEmit(out);
    clock.advance(60);
    generator.onPeriodicEmit(out);
    assert.deepEqual(out.emitted, [49, 49, 49], "60 ms quiet since the first quiet check is not yet 100");
    clock.advance(60);
    generator.onPeriodicEmit(out);
    generator.onPeriodicEmit(out);
    assert.deepEqual(out.emitted, [49, 49, 49, "idle"], "idle once, and no watermarks while idle");
    feed(generator, out, 80);
    generator.onPeriodicEmit(out);
    assert.deepEqual(out.emitted, [49, 49, 49, "idle", "active", 79]);
  });

  it("refuses a negative timeout", () => {
    assert.throws(() => new WatermarksWithIdleness(new AscendingTimestampsWatermarks(), -5, new ManualClock()), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });
});
