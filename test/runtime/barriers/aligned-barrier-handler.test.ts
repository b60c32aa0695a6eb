import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../../src/core/clock.ts";
import { AlignedBarrierHandler } from "../../../src/runtime/barriers/aligned-barrier-handler.ts";
import { barrier, RecordingActions } from "./recording-actions.ts";

function handler(channels: number) {
  const actions = new RecordingActions();
  const clock = new ManualClock(1000);
  return { actions, clock, handler: new AlignedBarrierHandler(channels, actions, clock) };
}

describe("AlignedBarrierHandler", () => {
  it("blocks each channel that delivered the barrier until all have, then checkpoints and unblocks", () => {
    const { actions, clock, handler: h } = handler(3);
    h.onBarrier(0, barrier(1));
    clock.advance(5);
    h.onBarrier(2, barrier(1));
    assert.deepEqual([...actions.blocked].sort(), [0, 2]);
    assert.deepEqual(actions.checkpoints(), []);
    clock.advance(7);
    h.onBarrier(1, barrier(1));
    assert.deepEqual(actions.checkpoints(), ["checkpoint 1 after 12ms"]);
    assert.equal(actions.blocked.size, 0);
    assert.equal(h.state, "waiting-for-first-barrier");
  });

  it("a single input channel checkpoints at once", () => {
    const { actions, handler: h } = handler(1);
    h.onBarrier(0, barrier(4));
    assert.deepEqual(actions.checkpoints(), ["checkpoint 4 after 0ms"]);
  });

  it("an ended channel is not waited for", () => {
    const { actions, handler: h } = handler(2);
    h.onBarrier(0, barrier(1));
    assert.equal(h.state, "aligning(1)");
    h.onEndOfPartition(1);
    assert.deepEqual(actions.checkpoints(), ["checkpoint 1 after 0ms"]);
    h.onBarrier(0, barrier(2));
    assert.deepEqual(actions.checkpoints(), ["checkpoint 1 after 0ms", "checkpoint 2 after 0ms"]);
  });

  it("a newer barrier during alignment declines the older checkpoint and aligns for the newer", () => {
    const { actions, handler: h } = handler(2);
    h.onBarrier(0, barrier(1));
    h.onBarrier(1, barrier(2));
    assert.deepEqual(actions.checkpoints(), ["decline 1"]);
    assert.equal(h.state, "aligning(2)");
    assert.deepEqual([...actions.blocked], [1]);
    h.onBarrier(0, barrier(2));
    assert.deepEqual(actions.checkpoints(), ["decline 1", "checkpoint 2 after 0ms"]);
  });

  it("barriers of checkpoints already taken, declined or aborted are ignored", () => {
    const { actions, handler: h } = handler(2);
    h.onBarrier(0, barrier(1));
    h.onAbort(1);
    assert.equal(actions.blocked.size, 0);
    h.onBarrier(1, barrier(1));
    assert.equal(actions.blocked.size, 0);
    assert.deepEqual(actions.checkpoints(), []);
  });

  it("never checkpoints twice and takes checkpoints in increasing order, whatever the arrival order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 6 })), { maxLength: 40 }), (channels, arrivals) => {
        const { actions, handler: h } = handler(channels);
        const lastPerChannel = new Array<number>(channels).fill(0);
        for (const [c, id] of arrivals) {
          const channel = c % channels;
          // Per channel, barriers arrive in increasing order (channels are FIFO).
          if (id <= lastPerChannel[channel]!) continue;
          lastPerChannel[channel] = id;
          // A blocked channel delivers nothing until unblocked.
          if (actions.blocked.has(channel)) continue;
          h.onBarrier(channel, barrier(id));
        }
        const taken = actions.log.filter((l) => l.startsWith("checkpoint")).map((l) => Number(l.split(" ")[1]));
        assert.deepEqual(taken, [...new Set(taken)].sort((a, b) => a - b));
      }),
    );
  });
});
