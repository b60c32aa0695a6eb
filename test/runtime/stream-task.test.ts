/**
 * How much of a batch one step of a task takes when its records are slow (each record costs the
 * task's manual clock a millisecond), and what that means for a checkpoint: an unaligned barrier
 * is taken after a step of about five milliseconds, ahead of the rest of the batch, which the
 * checkpoint stores as in flight; while a checkpoint's asynchronous phase is under way a step
 * takes about a millisecond in any mode, so the phase's writes (which go on between steps) are
 * not held up behind a whole batch of records.
 *
 * The task is driven by hand over a real input gate, with a recording operator and a checkpoint
 * writer in memory whose writes the test completes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import type { JobVertex } from "../../src/graph/job-graph.ts";
import type { StreamNode } from "../../src/graph/stream-graph.ts";
import type { CheckpointBarrier } from "../../src/runtime/barriers/barrier.ts";
import { BatchCodec } from "../../src/runtime/network/batch-codec.ts";
import { decodeChannelState } from "../../src/runtime/network/channel-state.ts";
import { InputChannel, InputGate } from "../../src/runtime/network/input-gate.ts";
import { decodeOperatorSnapshot } from "../../src/runtime/operator-snapshot.ts";
import type { OperatorContext, StreamOperator } from "../../src/runtime/operators/operator.ts";
import { CountingOutput, DISCARD } from "../../src/runtime/outputs.ts";
import { RecordTimestamp } from "../../src/runtime/record-timestamp.ts";
import { StreamTask } from "../../src/runtime/stream-task.ts";
import type { TaskCheckpointing, TaskSnapshotAck } from "../../src/runtime/task-checkpointing.ts";

const MS_PER_RECORD = 1;
const codec = new BatchCodec();

/** A one-input task whose operator takes a millisecond per record, records what it took, and snapshots that list. */
function slowTask(unaligned: boolean) {
  const clock = new ManualClock(1000);
  const processed: number[] = [];
  const written = new Map<number, Uint8Array>();
  const acks: TaskSnapshotAck[] = [];
  const pendingWrites: (() => void)[] = [];
  let holdWrites = false;
  const operator: StreamOperator = {
    open: () => {},
    processElement: (record) => {
      processed.push(record as number);
      clock.advance(MS_PER_RECORD);
    },
    snapshotState: () => [...processed],
  };
  const checkpointing: TaskCheckpointing = {
    mode: "exactly-once",
    ...(unaligned ? { unaligned: true } : {}),
    writeState: (checkpointId, _operatorId, _subtask, bytes) => {
      written.set(checkpointId, bytes);
      const handle = { path: `memory/${checkpointId}`, bytes: bytes.length, checksum: "0".repeat(64) };
      if (!holdWrites) return Promise.resolve(handle);
      return new Promise((resolve) => pendingWrites.push(() => resolve(handle)));
    },
    writeSharedState: () => Promise.reject(new Error("no keyed state here")),
    discard: () => Promise.resolve(),
    acknowledge: (ack) => void acks.push(ack),
    decline: (checkpointId, reason) => assert.fail(`checkpoint ${checkpointId} declined: ${reason}`),
    endOfData: () => {},
  };
  const channel = new InputChannel(0, 0, () => {});
  const gate = new InputGate([channel]);
  const vertex = { id: 1, name: "slow", parallelism: 1, nodes: [], inputs: [], outputs: [] } as unknown as JobVertex;
  const context = { keyed: undefined, operatorId: "slow", checkpointing: true, restored: undefined } as unknown as OperatorContext;
  const chain = [{ node: {} as StreamNode, name: "slow", operator, context, output: new CountingOutput(DISCARD), sideOutputs: new Map(), recordsIn: 0 }];
  const task = new StreamTask(vertex, 0, chain, { kind: "network", gate, codec }, [], () => {}, clock, checkpointing, new RecordTimestamp());
  return {
    task,
    processed,
    written,
    acks,
    push: (...items: (number[] | CheckpointBarrier)[]) => {
      for (const item of items) gate.push(channel, item);
    },
    /** The test completes the state writes (`releaseWrites`); until then the asynchronous phase is under way. */
    holdWrites: () => void (holdWrites = true),
    releaseWrites: () => {
      holdWrites = false;
      for (const release of pendingWrites.splice(0)) release();
    },
  };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
/** Lets the asynchronous phase of a checkpoint run up to its next wait. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("the steps of a task over slow records", () => {
  it("with unaligned checkpoints a step takes about five milliseconds of a batch, whatever the records cost", async () => {
    const t = slowTask(true);
    await t.task.open();
    t.push(range(0, 100));
    await t.task.step(100);
    assert.ok(t.processed.length >= 1 && t.processed.length <= 6, `one step took ${t.processed.length} records of ${MS_PER_RECORD} ms`);
    assert.ok(t.task.runnable(), "the rest of the batch waits for the next step");
  });

  it("an unaligned barrier that arrives during a batch is taken after the step, ahead of the rest, which the checkpoint stores in order", async () => {
    const t = slowTask(true);
    await t.task.open();
    t.push(range(0, 100), range(100, 200));
    await t.task.step(100);
    const before = t.processed.length;
    t.push({ kind: "barrier", checkpointId: 1, timestamp: 0, alignedTimeoutMs: 0 });
    await t.task.step(100);
    assert.equal(t.processed.length, before, "the barrier was taken before any more records");
    for (let steps = 0; t.task.runnable(); steps++) {
      assert.ok(steps < 1000, "the task never stopped");
      await t.task.step(100);
    }
    await settle();
    assert.deepEqual(t.processed, range(0, 200), "every record was processed once, in order");
    assert.equal(t.acks.length, 1);
    const snapshot = decodeOperatorSnapshot(t.written.get(1)!, "slow");
    assert.deepEqual(snapshot.state, range(0, before), "the snapshot holds the records processed before the barrier was taken");
    const inFlight = decodeChannelState(snapshot.channels!, "slow").inputs[0]!.batches.flatMap((b) => codec.decode(b.records));
    assert.deepEqual(inFlight, range(before, 200), "the channel state holds the rest, in order");
  });

  it("an aligned task takes a whole batch in one step, but only about a millisecond of one while a checkpoint's asynchronous phase is under way", async () => {
    const t = slowTask(false);
    await t.task.open();
    t.push(range(0, 50));
    await t.task.step(100);
    assert.equal(t.processed.length, 50, "no checkpoint under way: the whole batch");

    t.holdWrites();
    t.push({ kind: "barrier", checkpointId: 1, timestamp: 0 });
    await t.task.step(100);
    await settle();
    assert.equal(t.written.size, 1, "the snapshot's write started");
    t.push(range(50, 100));
    await t.task.step(100);
    assert.ok(t.processed.length - 50 <= 2, `one step took ${t.processed.length - 50} records while the write was under way`);

    t.releaseWrites();
    await settle();
    assert.equal(t.acks.length, 1);
    await t.task.step(100);
    assert.deepEqual(t.processed, range(0, 100), "the write over, a step takes the rest of the batch, in order");
  });
});
