import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeAheadSink, type WriteAheadBatch } from "../../src/sinks/write-ahead-sink.ts";
import { sinkContext, sinkOperator } from "./sink-context.ts";

describe("writeAheadSink", () => {
  it("hands records to the target only after their checkpoint completed, tagged with it", async () => {
    const batches: WriteAheadBatch<string>[] = [];
    const w = await writeAheadSink<string>((b) => void batches.push(b)).createWriter(sinkContext({ subtaskIndex: 2 }));
    w.write("a");
    w.write("b");
    await w.snapshotState!(1);
    w.write("c");
    assert.deepEqual(batches, []);
    await w.notifyCheckpointComplete!(1);
    assert.deepEqual(batches, [{ subtask: 2, checkpointId: 1, records: ["a", "b"] }]);
  });

  it("keeps the records of an aborted checkpoint for the next completed one", async () => {
    const batches: WriteAheadBatch<string>[] = [];
    const sink = await sinkOperator(writeAheadSink<string>((b) => void batches.push(b)));
    sink.processElement("a");
    await sink.snapshotState(1);
    await sink.notifyCheckpointAborted(1);
    assert.equal(batches.length, 0, "nothing reaches the target on an abort");
    sink.processElement("b");
    await sink.snapshotState(2);
    await sink.notifyCheckpointComplete(2);
    assert.deepEqual(batches.map((b) => [b.checkpointId, b.records]), [[1, ["a"]], [2, ["b"]]]);
  });

  it("after a restore hands over the batches the restored checkpoint holds", async () => {
    const first = await writeAheadSink<string>(() => {}).createWriter(sinkContext());
    first.write("a");
    const state = structuredClone(await first.snapshotState!(1));
    const batches: WriteAheadBatch<string>[] = [];
    await writeAheadSink<string>((b) => void batches.push(b)).createWriter(sinkContext({ restoredState: state, restoredCheckpointId: 1 }));
    assert.deepEqual(batches, [{ subtask: 0, checkpointId: 1, records: ["a"] }]);
  });

  it("without checkpoints hands everything over at end of input", async () => {
    const batches: WriteAheadBatch<string>[] = [];
    const w = await writeAheadSink<string>((b) => void batches.push(b)).createWriter(sinkContext({ checkpointing: false }));
    w.write("a");
    await w.flush!();
    assert.deepEqual(batches, [{ subtask: 0, checkpointId: -1, records: ["a"] }]);
  });
});
