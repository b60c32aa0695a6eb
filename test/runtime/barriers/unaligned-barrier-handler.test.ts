import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../src/core/clock.ts";
import type { CheckpointBarrier, UnalignedBarrierHandlerActions } from "../../../src/runtime/barriers/barrier.ts";
import { UnalignedBarrierHandler } from "../../../src/runtime/barriers/unaligned-barrier-handler.ts";
import { barrier, RecordingActions } from "./recording-actions.ts";

class RecordingUnalignedActions extends RecordingActions implements UnalignedBarrierHandlerActions {
  checkpointUnaligned(b: CheckpointBarrier, alignmentMs: number, inPosition: ReadonlySet<number>): void {
    this.log.push(`checkpoint ${b.checkpointId} unaligned after ${alignmentMs}ms, in position [${[...inPosition].sort().join(",")}]`);
  }
  inFlightComplete(checkpointId: number): void {
    this.log.push(`in-flight ${checkpointId} complete`);
  }
}

const unaligned = (id: number, timestamp = 1000): CheckpointBarrier => ({ kind: "barrier", checkpointId: id, timestamp, alignedTimeoutMs: 0 });
const withTimeout = (id: number, timeoutMs: number, timestamp = 1000): CheckpointBarrier => ({ kind: "barrier", checkpointId: id, timestamp, alignedTimeoutMs: timeoutMs });

function handler(channels: number) {
  const actions = new RecordingUnalignedActions();
  const clock = new ManualClock(1000);
  return { actions, clock, handler: new UnalignedBarrierHandler(channels, actions, clock) };
}

describe("UnalignedBarrierHandler", () => {
  it("snapshots on the first barrier's arrival and completes the in-flight data when every channel delivered it", () => {
    const { actions, handler: h } = handler(3);
    h.onAnnounced(1, unaligned(1));
    assert.deepEqual(actions.log, ["checkpoint 1 unaligned after 0ms, in position []"]);
    assert.equal(h.state, "collecting-in-flight(1)");
    h.onAnnounced(0, unaligned(1));
    assert.equal(actions.log.length, 1);
    h.onAnnounced(2, unaligned(1));
    assert.deepEqual(actions.log.slice(1), ["in-flight 1 complete"]);
    assert.equal(h.state, "waiting-for-first-barrier");
  });

  it("never blocks a channel in unaligned mode", () => {
    const { actions, handler: h } = handler(2);
    h.onAnnounced(0, unaligned(1));
    h.onBarrier(0, unaligned(1));
    assert.equal(actions.blocked.size, 0);
  });

  it("an ended channel has nothing more in flight", () => {
    const { actions, handler: h } = handler(2);
    h.onAnnounced(0, unaligned(1));
    h.onEndOfPartition(1);
    assert.deepEqual(actions.log, ["checkpoint 1 unaligned after 0ms, in position []", "in-flight 1 complete"]);
  });

  it("a single input channel completes its in-flight data at once", () => {
    const { actions, handler: h } = handler(1);
    h.onAnnounced(0, unaligned(3));
    assert.deepEqual(actions.log, ["checkpoint 3 unaligned after 0ms, in position []", "in-flight 3 complete"]);
  });

  it("aligns in position while the alignment timeout has not passed", () => {
    const { actions, clock, handler: h } = handler(2);
    h.onAnnounced(0, withTimeout(1, 50));
    h.onBarrier(0, withTimeout(1, 50));
    assert.deepEqual([...actions.blocked], [0]);
    clock.advance(20);
    h.onAnnounced(1, withTimeout(1, 50));
    h.onBarrier(1, withTimeout(1, 50));
    assert.deepEqual(actions.checkpoints(), ["checkpoint 1 after 20ms"]);
    assert.equal(actions.blocked.size, 0);
  });

  it("switches to unaligned when alignment outlives the timeout, keeping nothing in flight for channels aligned in position", () => {
    const { actions, clock, handler: h } = handler(3);
    h.onAnnounced(0, withTimeout(1, 50));
    h.onBarrier(0, withTimeout(1, 50));
    assert.equal(h.alignmentDeadline, 1050);
    clock.advance(49);
    h.onTime();
    assert.equal(h.state, "aligning(1)");
    clock.advance(1);
    h.onTime();
    assert.deepEqual(actions.log, ["block 0", "unblock", "checkpoint 1 unaligned after 50ms, in position [0]"]);
    h.onAnnounced(1, withTimeout(1, 50));
    h.onAnnounced(2, withTimeout(1, 50));
    assert.deepEqual(actions.log.slice(3), ["in-flight 1 complete"]);
  });

  it("a barrier that arrives after the timeout already passed overtakes at once", () => {
    const { actions, clock, handler: h } = handler(2);
    clock.set(2000);
    h.onAnnounced(1, withTimeout(4, 100));
    assert.deepEqual(actions.log, ["checkpoint 4 unaligned after 0ms, in position []"]);
  });

  it("savepoint barriers (no timeout) are only aligned", () => {
    const { actions, clock, handler: h } = handler(2);
    const savepoint = barrier(2);
    h.onAnnounced(0, savepoint);
    assert.equal(actions.blocked.size, 0, "a channel is blocked only once its barrier is taken in position");
    h.onBarrier(0, savepoint);
    assert.deepEqual([...actions.blocked], [0]);
    clock.advance(10_000);
    h.onTime();
    assert.equal(h.alignmentDeadline, undefined);
    h.onBarrier(1, savepoint);
    assert.deepEqual(actions.checkpoints(), ["checkpoint 2 after 10000ms"]);
  });

  it("a newer barrier declines a checkpoint whose in-flight data is still being collected", () => {
    const { actions, handler: h } = handler(2);
    h.onAnnounced(0, unaligned(1));
    h.onAnnounced(0, unaligned(2));
    assert.deepEqual(actions.log, ["checkpoint 1 unaligned after 0ms, in position []", "decline 1", "checkpoint 2 unaligned after 0ms, in position []"]);
    h.onAnnounced(1, unaligned(1));
    h.onAnnounced(1, unaligned(2));
    assert.deepEqual(actions.log.slice(3), ["in-flight 2 complete"]);
  });

  it("an aborted checkpoint is forgotten and its late barriers ignored", () => {
    const { actions, handler: h } = handler(2);
    h.onAnnounced(0, unaligned(1));
    h.onAbort(1);
    assert.equal(h.state, "waiting-for-first-barrier");
    h.onAnnounced(1, unaligned(1));
    assert.deepEqual(actions.log, ["checkpoint 1 unaligned after 0ms, in position []"]);
  });

  it("an aligned barrier that arrived first still counts when another channel's barrier makes the checkpoint unaligned", () => {
    const { actions, handler: h } = handler(2);
    h.onAnnounced(1, barrier(5));
    h.onAnnounced(0, unaligned(5));
    assert.deepEqual(actions.log, ["checkpoint 5 unaligned after 0ms, in position []", "in-flight 5 complete"]);
  });

  it("an aborted alignment unblocks its channels", () => {
    const { actions, handler: h } = handler(2);
    h.onBarrier(0, withTimeout(1, 1000));
    h.onAbort(1);
    assert.equal(actions.blocked.size, 0);
    assert.equal(h.state, "waiting-for-first-barrier");
  });
});
