import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_WATERMARK, MIN_WATERMARK } from "../../../src/core/watermark.ts";
import { StatusWatermarkValve } from "../../../src/runtime/watermarks/status-watermark-valve.ts";

type Emitted = number | "idle" | "active";

function valve(channels: number): { valve: StatusWatermarkValve; out: Emitted[] } {
  const out: Emitted[] = [];
  return {
    valve: new StatusWatermarkValve(channels, {
      emitWatermark: (w) => out.push(w),
      emitWatermarkStatus: (idle) => out.push(idle ? "idle" : "active"),
    }),
    out,
  };
}

describe("StatusWatermarkValve", () => {
  it("emits the minimum over its channels, once every channel has a watermark", () => {
    const { valve: v, out } = valve(3);
    v.inputWatermark(0, 10);
    v.inputWatermark(1, 5);
    assert.deepEqual(out, []);
    v.inputWatermark(2, 7);
    assert.deepEqual(out, [5]);
    v.inputWatermark(1, 20);
    assert.deepEqual(out, [5, 7]);
    assert.equal(v.watermark, 7);
  });

  it("never emits a watermark that does not advance, nor one that goes backwards", () => {
    const { valve: v, out } = valve(2);
    v.inputWatermark(0, 10);
    v.inputWatermark(1, 10);
    v.inputWatermark(1, 8);
    v.inputWatermark(0, 10);
    assert.deepEqual(out, [10]);
  });

  it("an idle channel stops holding the combined watermark back", () => {
    const { valve: v, out } = valve(2);
    v.inputWatermark(0, 30);
    assert.deepEqual(out, []);
    v.inputWatermarkStatus(1, true);
    assert.deepEqual(out, [30]);
  });

  it("a channel coming back active does not move the watermark backwards, and rejoins the minimum once it caught up", () => {
    const { valve: v, out } = valve(2);
    v.inputWatermark(1, 5);
    v.inputWatermarkStatus(1, true);
    v.inputWatermark(0, 30);
    assert.deepEqual(out, [30]);
    v.inputWatermarkStatus(1, false);
    v.inputWatermark(1, 10);
    assert.deepEqual(out, [30], "nothing goes back to 10");
    v.inputWatermark(0, 50);
    assert.deepEqual(out, [30, 50], "channel 1, behind the combined watermark, does not hold it back yet");
    v.inputWatermark(1, 60);
    v.inputWatermark(0, 70);
    assert.deepEqual(out, [30, 50, 60], "caught up, channel 1 is part of the minimum again");
  });

  it("when every channel is idle it emits the highest watermark reached, then declares itself idle; an active channel ends that", () => {
    const { valve: v, out } = valve(2);
    v.inputWatermark(0, 10);
    v.inputWatermark(1, 20);
    v.inputWatermarkStatus(0, true);
    v.inputWatermarkStatus(1, true);
    assert.deepEqual(out, [10, 20, "idle"]);
    assert.equal(v.isIdle, true);
    v.inputWatermarkStatus(0, false);
    assert.deepEqual(out, [10, 20, "idle", "active"]);
  });

  it("an ended channel holds nothing back, and all channels ended give the maximum watermark", () => {
    const { valve: v, out } = valve(2);
    v.inputWatermark(0, 10);
    v.channelEnded(1);
    assert.deepEqual(out, [10]);
    v.channelEnded(0);
    assert.deepEqual(out, [10, MAX_WATERMARK]);
  });

  it("the combined watermark is monotonic and never above the lowest active channel that is caught up, under any sequence of inputs", () => {
    const input = fc.oneof(
      fc.record({ kind: fc.constant("wm" as const), channel: fc.integer({ min: 0, max: 2 }), value: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ kind: fc.constant("status" as const), channel: fc.integer({ min: 0, max: 2 }), idle: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 60 }), (inputs) => {
        const { valve: v, out } = valve(3);
        const marks: number[] = [MIN_WATERMARK];
        const highest = [MIN_WATERMARK, MIN_WATERMARK, MIN_WATERMARK];
        const idle = [false, false, false];
        for (const i of inputs) {
          if (i.kind === "wm") {
            v.inputWatermark(i.channel, i.value);
            if (!idle[i.channel]) highest[i.channel] = Math.max(highest[i.channel]!, i.value);
          } else {
            v.inputWatermarkStatus(i.channel, i.idle);
            idle[i.channel] = i.idle;
          }
          for (const e of out.splice(0)) if (typeof e === "number") marks.push(e);
        }
        for (let k = 1; k < marks.length; k++) assert.ok(marks[k]! > marks[k - 1]!, `watermarks ${marks.join(",")} advance strictly`);
        // The last watermark is at most the highest watermark any channel reached.
        assert.ok(marks.at(-1)! <= Math.max(...highest));
        // With every channel active at the end, nothing beyond the lowest channel was emitted after the last status change.
        if (!idle.some((x) => x) && !inputs.some((i) => i.kind === "status")) assert.equal(v.watermark, Math.min(...highest));
      }),
      { numRuns: 300 },
    );
  });
});
