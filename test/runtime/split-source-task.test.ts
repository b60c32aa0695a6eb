/**
 * A source task running a split-based source's reader, driven by hand: what the enumerator sends
 * is applied in the task's action queue, in order with checkpoint triggers, so a split assigned
 * after the enumerator's snapshot (sent after the trigger) stays out of the reader's snapshot,
 * and one sent before the trigger is in it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobArgs } from "../../src/api/job-args.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { JobVertex } from "../../src/graph/job-graph.ts";
import type { StreamNode } from "../../src/graph/stream-graph.ts";
import type { OperatorContext } from "../../src/runtime/operators/operator.ts";
import { decodeOperatorSnapshot } from "../../src/runtime/operator-snapshot.ts";
import { CountingOutput } from "../../src/runtime/outputs.ts";
import { RecordTimestamp } from "../../src/runtime/record-timestamp.ts";
import type { ReaderToEnumerator } from "../../src/runtime/source-events.ts";
import { SOURCE_SPLITS_STATE, SplitSourceDriver } from "../../src/runtime/split-source-driver.ts";
import { StreamTask } from "../../src/runtime/stream-task.ts";
import type { TaskCheckpointing } from "../../src/runtime/task-checkpointing.ts";
import { generatorSource, type IndexRangeSplit } from "../../src/sources/generator.ts";
import { DefaultOperatorStateStore } from "../../src/state/operator/operator-state-store.ts";
import { AVAILABLE, type SourceSplit, type SplitSource } from "../../src/sources/index.ts";

const split = (k: number, end: number): IndexRangeSplit => ({ splitId: String(k), next: k, stride: 4, end });

/** A source task reading `source`; `answer` plays the enumerator, answering each message at once (as the single-thread runtime does). */
function sourceTask(source: SplitSource<number, SourceSplit, unknown> = generatorSource({ generate: (i) => i }), answer?: (message: ReaderToEnumerator, task: StreamTask) => void) {
  const emitted: number[] = [];
  const sentToEnumerator: ReaderToEnumerator[] = [];
  const snapshots = new Map<number, IndexRangeSplit[]>();
  const clock = new ManualClock();
  const store = new DefaultOperatorStateStore();
  const driver = new SplitSourceDriver(source as SplitSource<unknown, SourceSplit, unknown>, { subtaskIndex: 0, parallelism: 1, args: new JobArgs([]), clock }, store, (m) => {
    sentToEnumerator.push(m);
    answer?.(m, task);
  });
  const checkpointing: TaskCheckpointing = {
    mode: "exactly-once",
    writeState: (checkpointId, _operatorId, _subtask, bytes) => {
      const lists = decodeOperatorSnapshot(bytes, "source").operatorState?.lists ?? [];
      snapshots.set(checkpointId, (lists.find(([name]) => name === SOURCE_SPLITS_STATE)?.[2] ?? []) as IndexRangeSplit[]);
      return Promise.resolve({ path: `memory/${checkpointId}`, bytes: bytes.length, checksum: "0".repeat(64) });
    },
    writeSharedState: () => Promise.reject(new Error("no keyed state here")),
    discard: () => Promise.resolve(),
    acknowledge: () => {},
    decline: () => {},
    endOfData: () => {},
  };
  const vertex = { id: 0, name: "source", parallelism: 1, nodes: [], inputs: [], outputs: [] } as unknown as JobVertex;
  const context = { keyed: undefined, operatorId: "source", checkpointing: true, restored: undefined, operatorStateStore: store } as unknown as OperatorContext;
  const output = new CountingOutput({ collect: (r: unknown) => void emitted.push(r as number), emitWatermark: () => {}, emitWatermarkStatus: () => {} } as never);
  const chain = [{ node: {} as StreamNode, name: "source", operator: undefined, context, output, sideOutputs: new Map(), recordsIn: 0 }];
  const task: StreamTask = new StreamTask(vertex, 0, chain, { kind: "source", reader: driver, driver }, [], () => {}, clock, checkpointing, new RecordTimestamp());
  return {
    task,
    emitted,
    sentToEnumerator,
    snapshots,
    /** Steps the task until it can do nothing more, also after the promises it waits on (availability, writes) settled. */
    async drain() {
      let steps = 0;
      do {
        while (task.runnable()) {
          if (++steps > 1000) throw new Error("the task never stopped");
          await task.step(100);
        }
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      } while (task.runnable());
    },
  };
}

describe("a source task with a split reader", () => {
  it("registers its reader and asks for a split when it opens", async () => {
    const t = sourceTask();
    await t.task.open();
    assert.deepEqual(t.sentToEnumerator, [{ kind: "register" }, { kind: "request" }]);
  });

  it("a split that arrives after a checkpoint's trigger is not in that checkpoint, and is read after it", async () => {
    const t = sourceTask();
    await t.task.open();
    t.task.deliverEnumeratorEvent({ kind: "splits", splits: [split(0, 12)] });
    await t.drain();
    assert.deepEqual(t.emitted, [0, 4, 8]);
    t.task.triggerCheckpoint({ kind: "barrier", checkpointId: 1, timestamp: 0 });
    t.task.deliverEnumeratorEvent({ kind: "splits", splits: [split(1, 12)] });
    await t.drain();
    assert.deepEqual(t.snapshots.get(1), [], "checkpoint 1 holds no split: the first was finished, the second came after the trigger");
    assert.deepEqual(t.emitted, [0, 4, 8, 1, 5, 9]);
  });

  it("a split that arrives before a checkpoint's trigger is in that checkpoint, at its position", async () => {
    const t = sourceTask();
    await t.task.open();
    t.task.deliverEnumeratorEvent({ kind: "splits", splits: [split(2, 1000)] });
    t.task.triggerCheckpoint({ kind: "barrier", checkpointId: 1, timestamp: 0 });
    await t.task.step(3);
    await t.task.step(3);
    await t.drain();
    assert.deepEqual(t.snapshots.get(1), [split(2, 1000)], "the split, not yet read, at its start");
  });

  it("tells the enumerator of each split it finished, asks for the next, and ends after no more splits", async () => {
    const t = sourceTask();
    await t.task.open();
    t.task.deliverEnumeratorEvent({ kind: "splits", splits: [split(3, 8)] });
    await t.drain();
    assert.deepEqual(t.sentToEnumerator.slice(2), [{ kind: "finished", splits: [{ splitId: "3", next: 11, stride: 4, end: 8 }] }, { kind: "request" }]);
    assert.equal(t.task.status, "running");
    t.task.deliverEnumeratorEvent({ kind: "no-more-splits" });
    await t.drain();
    assert.equal(t.task.status, "ending", "the reader ended its input");
  });

  it("applies what the enumerator answers while the reader starts only once it started, in order, before the first poll", async () => {
    const calls: string[] = [];
    let starting = false;
    const source = readerOnly((context) => ({
        start() {
          starting = true;
          context.sendSplitRequest();
          calls.push("started");
          starting = false;
        },
        addSplits(splits) {
          if (starting) throw new Error("addSplits while the reader starts");
          calls.push(`splits ${splits.map((s) => s.splitId).join(",")}`);
        },
        notifyNoMoreSplits: () => calls.push("no more splits"),
        pollNext: () => {
          calls.push("poll");
          return "end-of-input";
        },
        isAvailable: () => AVAILABLE,
        snapshotState: () => [],
      }));
    const t = sourceTask(source, (message, task) => {
      if (message.kind !== "request") return;
      task.deliverEnumeratorEvent({ kind: "splits", splits: [{ splitId: "a" }] });
      task.deliverEnumeratorEvent({ kind: "no-more-splits" });
    });
    await t.task.open();
    await t.drain();
    assert.deepEqual(calls, ["started", "splits a", "no more splits", "poll"]);
  });

  it("gives the reader an output per split, the same one until released, whose records reach the task's output", async () => {
    const seen: string[] = [];
    const source = readerOnly(() => {
        let polls = 0;
        return {
          start: () => {},
          addSplits: () => {},
          notifyNoMoreSplits: () => {},
          pollNext(output) {
            const a = output.createOutputForSplit("a");
            const b = output.createOutputForSplit("b");
            seen.push(a === output.createOutputForSplit("a") ? "same output for a" : "new output for a");
            a.collect(10 + polls);
            b.collect(20 + polls);
            output.collect(30 + polls);
            output.releaseOutputForSplit("a");
            seen.push(a === output.createOutputForSplit("a") ? "same output for a after release" : "new output for a after release");
            return ++polls === 2 ? "end-of-input" : "more-available";
          },
          isAvailable: () => AVAILABLE,
          snapshotState: () => [],
        };
      });
    const t = sourceTask(source);
    await t.task.open();
    await t.drain();
    assert.deepEqual(t.emitted, [10, 20, 30, 11, 21, 31]);
    assert.deepEqual(seen, ["same output for a", "new output for a after release", "same output for a", "new output for a after release"]);
  });
});

/** A source for tests of its reader alone: it has no enumerator. */
function readerOnly(createReader: SplitSource<number, SourceSplit, unknown>["createReader"]): SplitSource<number, SourceSplit, unknown> {
  return {
    boundedness: "bounded",
    createEnumerator: () => {
      throw new Error("no enumerator in this test");
    },
    restoreEnumerator: () => {
      throw new Error("no enumerator in this test");
    },
    createReader,
  };
}
