/**
 * How a task with two inputs treats a pending barrier, by checkpointing mode. Exactly-once aligns:
 * the input that delivered barrier n is not read until the other one delivered it too, so the
 * snapshot holds exactly the records before the barriers. At-least-once does not align: the task
 * keeps reading the input that is ahead, and the snapshot then includes records that came after
 * the barrier (after a restore they are replayed: duplicates, never loss).
 *
 * The task is driven by hand over a real input gate, with a recording operator and a checkpoint
 * writer in memory; time is a manual clock.
 */
import { RecordTimestamp } from "../../../src/runtime/record-timestamp.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../src/core/clock.ts";
import type { JobVertex } from "../../../src/graph/job-graph.ts";
import type { StreamNode } from "../../../src/graph/stream-graph.ts";
import type { CheckpointBarrier } from "../../../src/runtime/barriers/barrier.ts";
import { BatchCodec } from "../../../src/runtime/network/batch-codec.ts";
import { InputChannel, InputGate } from "../../../src/runtime/network/input-gate.ts";
import type { OperatorContext, StreamOperator } from "../../../src/runtime/operators/operator.ts";
import { decodeOperatorSnapshot } from "../../../src/runtime/operator-snapshot.ts";
import { CountingOutput, DISCARD } from "../../../src/runtime/outputs.ts";
import { StreamTask } from "../../../src/runtime/stream-task.ts";
import type { CheckpointMode, TaskCheckpointing, TaskSnapshotAck } from "../../../src/runtime/task-checkpointing.ts";

const barrier = (checkpointId: number): CheckpointBarrier => ({ kind: "barrier", checkpointId, timestamp: 0 });

/** A two-input task whose operator records what it processed and snapshots that list. */
function twoInputTask(mode: CheckpointMode) {
  const clock = new ManualClock(1000);
  const processed: string[] = [];
  const snapshots = new Map<number, unknown>();
  const acks: TaskSnapshotAck[] = [];
  const declines: number[] = [];
  let acknowledged: (() => void) | undefined;
  const operator: StreamOperator = {
    open: () => {},
    processElement: (record) => void processed.push(record as string),
    snapshotState: () => [...processed],
  };
  const checkpointing: TaskCheckpointing = {
    mode,
    writeState: (checkpointId, _operatorId, _subtask, bytes) => {
      snapshots.set(checkpointId, decodeOperatorSnapshot(bytes, "recorder").state);
      return Promise.resolve({ path: `memory/${checkpointId}`, bytes: bytes.length, checksum: "0".repeat(64) });
    },
    writeSharedState: () => Promise.reject(new Error("no keyed state here")),
    discard: (checkpointId) => {
      snapshots.delete(checkpointId);
      return Promise.resolve();
    },
    acknowledge: (ack) => {
      acks.push(ack);
      acknowledged?.();
    },
    decline: (checkpointId) => void declines.push(checkpointId),
    endOfData: () => {},
  };
  const channels = [new InputChannel(0, 0, () => {}), new InputChannel(1, 1, () => {})];
  const gate = new InputGate(channels);
  const vertex = { id: 1, name: "two inputs", parallelism: 1, nodes: [], inputs: [], outputs: [] } as unknown as JobVertex;
  const context = { keyed: undefined, operatorId: "recorder", checkpointing: true, restored: undefined } as unknown as OperatorContext;
  const chain = [{ node: {} as StreamNode, name: "recorder", operator, context, output: new CountingOutput(DISCARD), sideOutputs: new Map(), recordsIn: 0 }];
  const task = new StreamTask(vertex, 0, chain, { kind: "network", gate, codec: new BatchCodec() }, [], () => {}, clock, checkpointing, new RecordTimestamp());
  return {
    task,
    clock,
    processed,
    snapshots,
    acks,
    declines,
    push(channel: 0 | 1, ...items: (string[] | CheckpointBarrier)[]) {
      for (const item of items) gate.push(channels[channel]!, item);
    },
    /** Steps the task until it can do nothing more. */
    async drain() {
      for (let steps = 0; task.runnable(); steps++) {
        if (steps > 1000) throw new Error("the task never stopped");
        await task.step(100);
      }
    },
    nextAck(): Promise<void> {
      return new Promise((resolve) => (acknowledged = resolve));
    },
  };
}

describe("barriers of a two-input task", () => {
  it("exactly-once: the input that delivered the barrier waits; the snapshot holds exactly the records before the barriers", async () => {
    const t = twoInputTask("exactly-once");
    await t.task.open();
    t.push(0, ["a1"], barrier(1), ["a2", "a3"]);
    t.push(1, ["b1"]);
    await t.drain();
    assert.deepEqual([...t.processed].sort(), ["a1", "b1"], "a2 and a3 wait behind the barrier");
    t.push(1, ["b2"]);
    await t.drain();
    assert.deepEqual([...t.processed].sort(), ["a1", "b1", "b2"], "the other input keeps flowing until its barrier");
    assert.equal(t.acks.length, 0);

    const acked = t.nextAck();
    t.clock.advance(7);
    t.push(1, barrier(1), ["b3"]);
    await t.drain();
    await acked;
    assert.deepEqual([...(t.snapshots.get(1) as string[])].sort(), ["a1", "b1", "b2"], "checkpoint 1 holds the records before barrier 1 on each input, and no other");
    assert.deepEqual([...t.processed].sort(), ["a1", "a2", "a3", "b1", "b2", "b3"], "after the snapshot both inputs flow again");
    assert.equal(t.acks[0]!.checkpointId, 1);
    assert.equal(t.acks[0]!.stats.alignmentDurationMs, 7, "alignment lasted from the first barrier to the last, on the task's clock");
    assert.deepEqual(t.declines, []);
  });

  it("at-least-once: the task keeps reading the input that is ahead; the snapshot includes records after its barrier", async () => {
    const t = twoInputTask("at-least-once");
    await t.task.open();
    t.push(0, ["a1"], barrier(1), ["a2", "a3"]);
    t.push(1, ["b1"]);
    await t.drain();
    assert.deepEqual([...t.processed].sort(), ["a1", "a2", "a3", "b1"], "records behind the barrier are not held back");
    assert.equal(t.acks.length, 0, "no snapshot before every input delivered the barrier");

    const acked = t.nextAck();
    t.clock.advance(5);
    t.push(1, barrier(1), ["b2"]);
    await t.drain();
    await acked;
    const snapshot = t.snapshots.get(1) as string[];
    assert.deepEqual([...snapshot].sort(), ["a1", "a2", "a3", "b1"], "a2 and a3 came after barrier 1 on their input, yet are in checkpoint 1");
    assert.deepEqual([...t.processed].sort(), ["a1", "a2", "a3", "b1", "b2"]);
    assert.equal(t.acks[0]!.stats.alignmentDurationMs, 5);
    assert.deepEqual(t.declines, []);
  });

  it("both modes: a barrier on one input only never completes a checkpoint, and an aborted checkpoint releases a blocked input", async () => {
    for (const mode of ["exactly-once", "at-least-once"] as const) {
      const t = twoInputTask(mode);
      await t.task.open();
      t.push(0, barrier(1), ["a1"]);
      await t.drain();
      assert.equal(t.acks.length, 0, mode);
      t.task.notifyCheckpointAborted(1);
      await t.drain();
      assert.deepEqual(t.processed, ["a1"], `${mode}: after the abort nothing waits for checkpoint 1`);
      t.push(1, barrier(1), ["b1"]);
      await t.drain();
      assert.deepEqual(t.processed, ["a1", "b1"]);
      assert.equal(t.acks.length, 0, `${mode}: a late barrier of an aborted checkpoint is ignored`);
    }
  });
});
