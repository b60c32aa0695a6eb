import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import { Watermark } from "../../src/core/watermark.ts";
import { WatermarkStrategy } from "../../src/api/watermark-strategy.ts";
import { WatermarksWithIdleness, type WatermarkGenerator, type WatermarkOutput } from "../../src/api/watermark-generators.ts";

const context = { getInputActivityClock: () => new ManualClock() };

function emittedBy(generator: WatermarkGenerator<{ ts: number }>, timestamps: number[]): number[] {
  const emitted: number[] = [];
  const out: WatermarkOutput = { emitWatermark: (w) => void emitted.push(w.timestamp), markIdle: () => {}, markActive: () => {} };
  for (const ts of timestamps) generator.onEvent({ ts }, ts, out);
  generator.onPeriodicEmit(out);
  return emitted;
}

describe("WatermarkStrategy", () => {
  it("forBoundedOutOfOrderness and forMonotonousTimestamps make their generators, one per call", () => {
    const bounded = WatermarkStrategy.forBoundedOutOfOrderness<{ ts: number }>(10);
    assert.deepEqual(emittedBy(bounded.createWatermarkGenerator(context), [100, 90]), [89]);
    assert.deepEqual(emittedBy(bounded.createWatermarkGenerator(context), [5]), [-6], "a fresh generator per parallel instance");
    assert.deepEqual(emittedBy(WatermarkStrategy.forMonotonousTimestamps<{ ts: number }>().createWatermarkGenerator(context), [100]), [99]);
  });

  it("noWatermarks emits none", () => {
    assert.deepEqual(emittedBy(WatermarkStrategy.noWatermarks<{ ts: number }>().createWatermarkGenerator(context), [100]), []);
  });

  it("forGenerator takes a function or an object that makes the generator", () => {
    const punctuated = (): WatermarkGenerator<{ ts: number }> => ({
      onEvent: (_e, ts, out) => out.emitWatermark(new Watermark(ts)),
      onPeriodicEmit: () => {},
    });
    assert.deepEqual(emittedBy(WatermarkStrategy.forGenerator(() => punctuated()).createWatermarkGenerator(context), [3, 4]), [3, 4]);
    assert.deepEqual(emittedBy(WatermarkStrategy.forGenerator({ createWatermarkGenerator: punctuated }).createWatermarkGenerator(context), [7]), [7]);
    assert.throws(() => WatermarkStrategy.forGenerator(42 as never), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });

  it("withTimestampAssigner returns a new strategy with the assigner, as a function or an object; the original keeps none", () => {
    const base = WatermarkStrategy.forMonotonousTimestamps<{ ts: number }>();
    const withFn = base.withTimestampAssigner((e) => e.ts * 2);
    const withObject = base.withTimestampAssigner({ extractTimestamp: (e, recordTimestamp) => e.ts + (recordTimestamp ?? 0) });
    assert.equal(base.createTimestampAssigner(), undefined);
    assert.equal(withFn.createTimestampAssigner()!({ ts: 4 }, null), 8);
    assert.equal(withObject.createTimestampAssigner()!({ ts: 4 }, 10), 14);
    assert.throws(() => base.withTimestampAssigner("ts" as never), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });

  it("withIdleness wraps the generator, keeping the assigner; it refuses a timeout that is not positive", () => {
    const strategy = WatermarkStrategy.forMonotonousTimestamps<{ ts: number }>()
      .withTimestampAssigner((e) => e.ts)
      .withIdleness(1_000);
    assert.ok(strategy.createWatermarkGenerator(context) instanceof WatermarksWithIdleness);
    assert.equal(strategy.createTimestampAssigner()!({ ts: 3 }, null), 3);
    for (const bad of [0, -1, Number.NaN]) assert.throws(() => strategy.withIdleness(bad), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });

  it("forBoundedOutOfOrderness refuses a negative bound", () => {
    assert.throws(() => WatermarkStrategy.forBoundedOutOfOrderness(-1), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });
});
