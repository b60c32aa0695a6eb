import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../src/core/clock.ts";
import { BUFFER_DEBLOAT_DEFAULTS, BufferDebloater, type BufferDebloatSettings } from "../../../src/runtime/network/buffer-debloater.ts";

function debloater(overrides: Partial<BufferDebloatSettings> = {}) {
  const clock = new ManualClock(0);
  const settings: BufferDebloatSettings = { ...BUFFER_DEBLOAT_DEFAULTS, targetMs: 1000, buffers: 8, maxBufferSize: 1024, ...overrides };
  return { clock, debloater: new BufferDebloater(settings, clock) };
}

/** Takes `recordsPerSecond` for one period of `periodMs`, then samples. */
function period(d: BufferDebloater, clock: ManualClock, recordsPerSecond: number, periodMs = 200): number | undefined {
  d.recordsTaken((recordsPerSecond * periodMs) / 1000);
  clock.advance(periodMs);
  return d.onTime();
}

describe("BufferDebloater", () => {
  it("starts at the maximum buffer size and samples nothing before a period passed", () => {
    const { clock, debloater: d } = debloater();
    assert.equal(d.bufferSize, 1024);
    d.recordsTaken(10);
    clock.advance(199);
    assert.equal(d.onTime(), undefined);
    assert.equal(d.recordsPerSecond, undefined);
  });

  it("sizes batches so that every buffer in flight together holds the target time of throughput", () => {
    const { clock, debloater: d } = debloater();
    // 800 records/s for 1 s over 8 buffers: 100 records each.
    assert.equal(period(d, clock, 800), 100);
    assert.equal(d.bufferSize, 100);
    assert.equal(d.recordsPerSecond, 800);
  });

  it("scales with the target time", () => {
    const { clock, debloater: d } = debloater({ targetMs: 250 });
    assert.equal(period(d, clock, 800), 25);
  });

  it("keeps the size within the minimum and the maximum", () => {
    const slow = debloater({ minBufferSize: 16 });
    assert.equal(period(slow.debloater, slow.clock, 10), 16);
    const fast = debloater();
    assert.equal(period(fast.debloater, fast.clock, 1_000_000), undefined, "already at the maximum: nothing to announce");
    assert.equal(fast.debloater.bufferSize, 1024);
  });

  it("smooths the throughput, so one idle period moves the size only part of the way", () => {
    const { clock, debloater: d } = debloater({ samples: 3 });
    assert.equal(period(d, clock, 800), 100);
    // alpha = 2 / (3 + 1): the average goes halfway from 800 to 0.
    assert.equal(period(d, clock, 0), 50);
    assert.equal(d.recordsPerSecond, 400);
  });

  it("announces no change smaller than the threshold, and a larger one", () => {
    const { clock, debloater: d } = debloater({ samples: 1 });
    assert.equal(period(d, clock, 800), 100);
    assert.equal(period(d, clock, 960), undefined, "120 is 20 % above 100");
    assert.equal(d.bufferSize, 100);
    assert.equal(period(d, clock, 1040), 130, "30 % above");
  });

  it("announces reaching a bound however small the change", () => {
    const { clock, debloater: d } = debloater({ samples: 1, minBufferSize: 10 });
    assert.equal(period(d, clock, 96), 12);
    assert.equal(period(d, clock, 8), 10, "17 % below, but the minimum");
  });

  it("counts a long gap between samples as one period at the rate over it", () => {
    const { clock, debloater: d } = debloater();
    d.recordsTaken(800);
    clock.advance(2000);
    assert.equal(d.onTime(), 50);
  });
});
