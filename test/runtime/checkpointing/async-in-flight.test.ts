/**
 * Checkpoints of a job with an async I/O operator whose request hangs: the task holds its input at
 * capacity, yet barriers pass and checkpoints complete without waiting for the request, and each
 * stores the input in flight; the records behind it stay in the source.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AsyncDataStream, defineJob, runJob } from "../../../src/index.ts";
import { FileCheckpointStorage } from "../../../src/checkpoint/storage/file-checkpoint-storage.ts";
import { decodeOperatorSnapshot } from "../../../src/runtime/operator-snapshot.ts";
import { ListSink, ScriptedInput, until } from "../scripted.ts";
import { tempDir } from "./checkpointing-helpers.ts";

describe("an async I/O operator in checkpoints", () => {
  it("lets checkpoints complete while a request hangs at capacity, storing the input in flight", { timeout: 60_000 }, async () => {
    const dir = tempDir("async-in-flight");
    const input = new ScriptedInput<number>();
    const sink = new ListSink<number>();
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const completed: number[] = [];
    const job = defineJob((env) => {
      const lookups = AsyncDataStream.orderedWait(env.fromSource(input.source(), "numbers"), async (n: number) => {
        if (n === 2) await hanging;
        return n * 10;
      }, 0, 1);
      lookups.uid("lookup").sinkTo(sink.sink());
    });
    input.push(1, 2, 3);
    const running = runJob(job, {
      runtime: "single-thread",
      parallelism: 1,
      checkpointing: { intervalMs: 10, retained: 100, dir },
      onCheckpoint: (s) => void (s.status === "completed" && completed.push(s.id)),
    });
    await until(() => completed.length >= 3);
    assert.deepEqual(sink.records, [10]);
    release();
    await until(() => sink.records.length === 3);
    input.end();
    const result = await running;
    assert.deepEqual(sink.records, [10, 20, 30]);

    const storage = new FileCheckpointStorage({ jobId: result.info.jobId, root: dir });
    const metadata = await storage.readMetadata(completed[2] as never);
    const handle = metadata.operators.find((o) => o.operatorId === "lookup")!.subtasks[0]!.state[0]!;
    assert.deepEqual(decodeOperatorSnapshot(await storage.readState(handle), "lookup").state, { inputs: [2] });
  });
});
