import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../src/core/clock.ts";
import { TrackingBarrierHandler } from "../../../src/runtime/barriers/tracking-barrier-handler.ts";
import { barrier, RecordingActions } from "./recording-actions.ts";

function handler(channels: number) {
  const actions = new RecordingActions();
  const clock = new ManualClock(0);
  return { actions, clock, handler: new TrackingBarrierHandler(channels, actions, clock) };
}

describe("TrackingBarrierHandler", () => {
  it("never blocks a channel, and checkpoints when the last channel delivers the barrier", () => {
    const { actions, clock, handler: h } = handler(2);
    h.onBarrier(1, barrier(1));
    clock.advance(9);
    assert.deepEqual(actions.log, []);
    h.onBarrier(0, barrier(1));
    assert.deepEqual(actions.log, ["checkpoint 1 after 9ms"]);
  });

  it("tracks several checkpoints at once", () => {
    const { actions, handler: h } = handler(2);
    h.onBarrier(0, barrier(1));
    h.onBarrier(0, barrier(2));
    h.onBarrier(1, barrier(1));
    h.onBarrier(1, barrier(2));
    assert.deepEqual(actions.checkpoints(), ["checkpoint 1 after 0ms", "checkpoint 2 after 0ms"]);
  });

  it("an ended channel counts as delivered", () => {
    const { actions, handler: h } = handler(2);
    h.onBarrier(0, barrier(3));
    h.onEndOfPartition(1);
    assert.deepEqual(actions.checkpoints(), ["checkpoint 3 after 0ms"]);
  });

  it("a checkpoint overtaken by a newer one is declined", () => {
    const { actions, handler: h } = handler(2);
    h.onBarrier(0, barrier(1));
    h.onBarrier(0, barrier(2));
    h.onBarrier(1, barrier(2));
    assert.deepEqual(actions.checkpoints(), ["decline 1", "checkpoint 2 after 0ms"]);
    h.onBarrier(1, barrier(1));
    assert.deepEqual(actions.checkpoints(), ["decline 1", "checkpoint 2 after 0ms"]);
  });

  it("an aborted checkpoint is forgotten", () => {
    const { actions, handler: h } = handler(2);
    h.onBarrier(0, barrier(1));
    h.onAbort(1);
    h.onBarrier(1, barrier(1));
    assert.deepEqual(actions.log, []);
  });
});
