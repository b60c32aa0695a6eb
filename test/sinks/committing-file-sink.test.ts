import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { committedFileLines, committingFileSink } from "../../src/sinks/committing-file-sink.ts";
import { defineJob, runJob } from "../../src/index.ts";
import type { SinkWriter } from "../../src/sinks/sink.ts";
import { WeirError } from "../../src/core/errors.ts";
import { sinkContext } from "./sink-context.ts";

const made: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "weir-file-sink-"));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const visible = (dir: string) => readdirSync(dir).filter((n) => !n.startsWith(".")).sort();
const committedLines = (dir: string) => visible(dir).flatMap((n) => readFileSync(join(dir, n), "utf8").split("\n").filter((l) => l !== ""));

async function writer(dir: string, restoredState?: unknown): Promise<SinkWriter<string>> {
  return committingFileSink<string>({ dir }).createWriter(sinkContext({ restoredState, restoredCheckpointId: restoredState === undefined ? undefined : 1 }));
}

describe("committingFileSink", () => {
  it("writes hidden in-progress files, hidden pending files on snapshot, and visible files on completion", async () => {
    const dir = tempDir();
    const w = await writer(dir);
    w.write("a");
    assert.deepEqual(readdirSync(dir), [".part-0-0.inprogress"]);
    await w.snapshotState!(1);
    assert.deepEqual(readdirSync(dir), [".part-0-0.pending"]);
    await w.notifyCheckpointComplete!(1);
    assert.deepEqual(readdirSync(dir), ["part-0-0"]);
    assert.equal(readFileSync(join(dir, "part-0-0"), "utf8"), "a\n");
  });

  it("after a restore commits the pending files of the checkpoint and deletes stray hidden files", async () => {
    const dir = tempDir();
    const w = await writer(dir);
    w.write("a");
    const state = structuredClone(await w.snapshotState!(1));
    w.write("not checkpointed");
    writeFileSync(join(dir, ".part-0-99.inprogress"), "stray\n");
    await writer(dir, state);
    assert.deepEqual(readdirSync(dir).sort(), ["part-0-0"]);
    assert.deepEqual(committedLines(dir), ["a"]);
  });

  it("restored at a lower parallelism, a writer commits the pending parts of every old subtask it takes over and deletes their strays", async () => {
    const dir = tempDir();
    const states: unknown[] = [];
    for (const subtask of [0, 1, 2]) {
      const w = await committingFileSink<string>({ dir }).createWriter(sinkContext({ subtaskIndex: subtask, parallelism: 3 }));
      w.write(`from ${subtask}`);
      states.push(structuredClone(await w.snapshotState!(1)));
      w.write("not checkpointed");
    }
    writeFileSync(join(dir, ".part-2-7.inprogress"), "stray of old subtask 2\n");
    const merged = await committingFileSink<string>({ dir }).createWriter(sinkContext({ subtaskIndex: 0, parallelism: 1, restoredStates: states, restoredCheckpointId: 1 }));
    assert.deepEqual(readdirSync(dir).sort(), ["part-0-0", "part-1-0", "part-2-0"]);
    assert.deepEqual(committedFileLines(dir), ["from 0", "from 1", "from 2"]);
    merged.write("next");
    await merged.snapshotState!(2);
    await merged.notifyCheckpointComplete!(2);
    assert.deepEqual(visible(dir), ["part-0-0", "part-0-2", "part-1-0", "part-2-0"], "it numbers its parts after the checkpoint's current one");
  });

  it("restored at a higher parallelism, a writer with nothing to take over resumes after the committed parts of its index, not refusing them", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "part-2-5"), "from an earlier history at parallelism 3\n");
    writeFileSync(join(dir, ".part-2-6.pending"), "never committed\n");
    const w = await committingFileSink<string>({ dir }).createWriter(sinkContext({ subtaskIndex: 2, parallelism: 3, restoredStates: [], restoredCheckpointId: 4 }));
    assert.deepEqual(readdirSync(dir).sort(), ["part-2-5"]);
    w.write("new");
    await w.snapshotState!(5);
    await w.notifyCheckpointComplete!(5);
    assert.deepEqual(visible(dir), ["part-2-5", "part-2-6"]);
  });

  it("restored at another parallelism, every writer numbers its parts after every part of the checkpoint, so a key that moved reads back in order", async () => {
    const dir = tempDir();
    // At parallelism 2, both subtasks write a part per checkpoint; checkpoint 6 is restored.
    const old = await Promise.all([0, 1].map((subtask) => committingFileSink<string>({ dir }).createWriter(sinkContext({ subtaskIndex: subtask, parallelism: 2 }))));
    const states: unknown[] = [];
    for (let checkpoint = 1; checkpoint <= 6; checkpoint++) {
      for (const [subtask, w] of old.entries()) {
        w.write(`k${subtask},${checkpoint}`);
        const state = structuredClone(await w.snapshotState!(checkpoint));
        if (checkpoint < 6) await w.notifyCheckpointComplete!(checkpoint);
        else states[subtask] = state;
      }
    }
    // Restored at parallelism 3 from checkpoint 6.
    const writers = await Promise.all(
      [0, 1, 2].map((subtask) =>
        committingFileSink<string>({ dir }).createWriter(sinkContext({ subtaskIndex: subtask, parallelism: 3, restoredStates: subtask < 2 ? [states[subtask]] : [], restoredCheckpointId: 6 })),
      ),
    );
    // The key of old subtask 0 now goes to writer 2, which took over nothing; that of old subtask 1 to writer 0.
    writers[2]!.write("k0,moved");
    writers[0]!.write("k1,moved");
    for (const w of writers) await w.snapshotState!(7);
    for (const w of writers) await w.notifyCheckpointComplete!(7);
    const lines = committedFileLines(dir);
    assert.deepEqual(lines.filter((l) => l.startsWith("k0,")), ["k0,1", "k0,2", "k0,3", "k0,4", "k0,5", "k0,6", "k0,moved"]);
    assert.deepEqual(lines.filter((l) => l.startsWith("k1,")), ["k1,1", "k1,2", "k1,3", "k1,4", "k1,5", "k1,6", "k1,moved"]);
  });

  it("committing again after a restore is harmless when the first commit had happened", async () => {
    const dir = tempDir();
    const w = await writer(dir);
    w.write("a");
    const state = structuredClone(await w.snapshotState!(1));
    await w.notifyCheckpointComplete!(1);
    await writer(dir, state);
    assert.deepEqual(committedLines(dir), ["a"]);
  });

  it("refuses to start fresh into a directory that holds committed parts of another run", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "part-0-4"), "old\n");
    await assert.rejects(writer(dir), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_SINK_OUTPUT_EXISTS" && e.message.includes("part-0-4") && e.message.includes("--from latest"));
    assert.deepEqual(visible(dir), ["part-0-4"]);
  });

  it("told to append, a fresh start numbers its part files after the committed ones already there", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "part-0-4"), "old\n");
    const w = await committingFileSink<string>({ dir, existingOutput: "append" }).createWriter(sinkContext());
    w.write("new");
    await w.snapshotState!(1);
    await w.notifyCheckpointComplete!(1);
    assert.deepEqual(visible(dir), ["part-0-4", "part-0-5"]);
  });

  it("told to replace, each subtask of a fresh start deletes its share of the committed parts, whatever parallelism wrote them", async () => {
    const dir = tempDir();
    for (const name of ["part-0-0", "part-1-0", "part-2-3", "notes.txt"]) writeFileSync(join(dir, name), "old\n");
    const sink = committingFileSink<string>({ dir, existingOutput: "replace" });
    const first = await sink.createWriter(sinkContext({ subtaskIndex: 0, parallelism: 2 }));
    assert.deepEqual(visible(dir), ["notes.txt", "part-1-0"]);
    await sink.createWriter(sinkContext({ subtaskIndex: 1, parallelism: 2 }));
    assert.deepEqual(visible(dir), ["notes.txt"]);
    first.write("new");
    await first.snapshotState!(1);
    await first.notifyCheckpointComplete!(1);
    assert.deepEqual(committedFileLines(dir), ["new"]);
  });

  it("reads back committed lines by part number, then subtask, never hidden files", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "part-1-0"), "a3\n");
    writeFileSync(join(dir, "part-0-10"), "c\n");
    writeFileSync(join(dir, "part-0-2"), "b1\nb2\n");
    writeFileSync(join(dir, "part-0-0"), "a1\na2\n");
    writeFileSync(join(dir, ".part-0-11.pending"), "hidden\n");
    assert.deepEqual(committedFileLines(dir), ["a1", "a2", "a3", "b1", "b2", "c"]);
    assert.deepEqual(await committingFileSink({ dir }).committed!.read({ operatorId: "x", collected: () => undefined }), ["a1", "a2", "a3", "b1", "b2", "c"]);
  });

  it("refuses a directory that is a file when the writer is created, with its own code", async () => {
    const file = join(tempDir(), "taken");
    writeFileSync(file, "");
    await assert.rejects(writer(file), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_SINK_IO" && e.message.includes("is a file"));
    await assert.rejects(writer(join(file, "below")), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_SINK_IO" && e.message.includes("is a file"));
  });

  it("a job writing into a file's path is refused before any record flows, with the sink's code", async () => {
    const file = join(tempDir(), "taken");
    writeFileSync(file, "");
    let written = 0;
    const job = defineJob((env) => {
      env
        .fromElements(1, 2, 3)
        .map((x) => (written++, String(x)))
        .sinkTo(committingFileSink<string>({ dir: file }));
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_SINK_IO");
    assert.equal(written, 0);
  });

  it("refuses to restore over committed files newer than the checkpoint", async () => {
    const dir = tempDir();
    const w = await writer(dir);
    w.write("a");
    const state = structuredClone(await w.snapshotState!(1));
    await w.notifyCheckpointComplete!(1);
    w.write("b");
    await w.snapshotState!(2);
    await w.notifyCheckpointComplete!(2);
    await assert.rejects(writer(dir, state), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_SINK_CONFLICT" && e.message.includes("part-0-1"));
  });

  it("refuses to restore when a checkpointed part file was deleted, naming it", async () => {
    const dir = tempDir();
    const w = await writer(dir);
    w.write("a");
    const state = structuredClone(await w.snapshotState!(1));
    rmSync(join(dir, ".part-0-0.pending"));
    await assert.rejects(writer(dir, state), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_SINK_CONFLICT" && e.message.includes(".part-0-0.pending"));
  });

  it("restores a checkpoint whose transaction held no records", async () => {
    const dir = tempDir();
    const w = await writer(dir);
    const state = structuredClone(await w.snapshotState!(1));
    await writer(dir, state);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("transactions without records leave no file", async () => {
    const dir = tempDir();
    const w = await writer(dir);
    await w.snapshotState!(1);
    await w.notifyCheckpointComplete!(1);
    assert.deepEqual(readdirSync(dir), []);
  });
});
