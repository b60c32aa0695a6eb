import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { committingFileSink } from "../../src/sinks/committing-file-sink.ts";
import type { SinkWriter } from "../../src/sinks/sink.ts";
import { WeirError } from "../../src/core/errors.ts";
import { sinkContext } from "./sink-context.ts";

const tempDir = () => mkdtempSync(join(tmpdir(), "weir-file-sink-"));
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

  it("committing again after a restore is harmless when the first commit had happened", async () => {
    const dir = tempDir();
    const w = await writer(dir);
    w.write("a");
    const state = structuredClone(await w.snapshotState!(1));
    await w.notifyCheckpointComplete!(1);
    await writer(dir, state);
    assert.deepEqual(committedLines(dir), ["a"]);
  });

  it("a fresh start numbers its part files after the committed ones already there", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "part-0-4"), "old\n");
    const w = await writer(dir);
    w.write("new");
    await w.snapshotState!(1);
    await w.notifyCheckpointComplete!(1);
    assert.deepEqual(visible(dir), ["part-0-4", "part-0-5"]);
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
