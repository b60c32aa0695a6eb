import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import { ENCODING_SLICE_MS, EncodingSlices } from "../../src/runtime/encoding-slices.ts";

/** The turns a phase of `steps` steps of `stepMs` each gives its task. */
function turnsOf(steps: number, stepMs: number): number {
  const clock = new ManualClock(1_000);
  const slices = new EncodingSlices(clock);
  let turns = 0;
  for (let i = 0; i < steps; i++) {
    clock.advance(stepMs);
    if (slices.turnDue()) {
      turns++;
      clock.advance(1);
      slices.resumed();
    }
  }
  return turns;
}

describe("the turns a checkpoint's asynchronous phase gives its task while it encodes", () => {
  it("runs steps without a turn until the slice is spent", () => {
    const clock = new ManualClock();
    const slices = new EncodingSlices(clock);
    clock.advance(ENCODING_SLICE_MS - 1);
    assert.equal(slices.turnDue(), false);
    clock.advance(1);
    assert.equal(slices.turnDue(), true);
  });

  it("starts a new slice once the task had its turn, not counting the turn itself", () => {
    const clock = new ManualClock();
    const slices = new EncodingSlices(clock);
    clock.advance(ENCODING_SLICE_MS);
    assert.equal(slices.turnDue(), true);
    clock.advance(50);
    slices.resumed();
    assert.equal(slices.turnDue(), false);
  });

  it("gives 64 key groups of a tenth of a millisecond one turn, not 64", () => {
    assert.equal(turnsOf(64, 0.1), 1);
  });

  it("gives a turn after every step when each step takes a slice or more", () => {
    assert.equal(turnsOf(10, ENCODING_SLICE_MS), 10);
  });
});
