/**
 * The windowed click count (examples/window-count.ts: keyed windows, their timers and a
 * committing sink) on the disk state backend, killed with SIGKILL mid-stream and resumed from its
 * latest checkpoint: on the disk backend again, and across backends (disk to heap, heap to disk),
 * since checkpoints are in one format for every backend. Each resumed run commits exactly the
 * lines of a run without the failure.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { committedFileLines } from "../../src/sinks/committing-file-sink.ts";
import { storeOwner } from "../../src/state/disk/disk-store.ts";
import { CapturedIo } from "./captured-io.ts";
import { killedRun, latestCheckpoint } from "./killed-run.ts";

const JOB = "examples/window-count.ts";
const JOB_ARGS = ["--clicks", "12000", "--pages", "5"];

/** Runs the job to its end in this process with `options` and returns its committed lines, sorted. */
async function committed(options: readonly string[], from?: string, origin?: string): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), "weir-backend-resume-"));
  try {
    if (origin !== undefined) cpSync(origin, root, { recursive: true });
    const io = new CapturedIo();
    const resume = from === undefined ? [] : ["--from", from.replace(origin!, root)];
    const code = await main(["run", JOB, "--single-thread", ...options, "--checkpoint-interval", "100", "--checkpoint-dir", join(root, "chk"), ...resume, "--", ...JOB_ARGS, "--out", join(root, "out")], io);
    assert.equal(code, 0, io.err);
    if (from !== undefined) assert.match(io.err, /restor/);
    return committedFileLines(join(root, "out")).sort();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Store directories of this process (the resumed runs run in it) in the temp dir, which other processes may share. */
function stateDirsLeft(): string[] {
  return readdirSync(tmpdir()).filter((name) => storeOwner(name) === process.pid);
}

describe("resuming a windowed job killed on one state backend, on the same or the other", () => {
  it("disk -> disk, disk -> heap and heap -> disk commit exactly the lines of a run without the failure", async () => {
    const before = new Set(stateDirsLeft());
    const expected = await committed(["--state-backend", "heap"]);
    assert.equal(expected.length, 5 * 12, "5 pages in 12 windows");
    // A killed process cannot remove its stores: the killed run keeps them in a directory of the test's.
    const killedStores = mkdtempSync(join(tmpdir(), "weir-killed-stores-"));
    const onDisk = await killedRun(JOB, ["-p", "2", "--state-backend", "disk", "--state-dir", killedStores], [...JOB_ARGS, "--rate", "3000"], "killed-on-disk");
    assert.equal(readdirSync(killedStores).filter((name) => name.startsWith("weir-disk-state-")).length, 2, "one store per keyed subtask, under --state-dir");
    const onHeap = await killedRun(JOB, ["-p", "2", "--state-backend", "heap"], [...JOB_ARGS, "--rate", "3000"], "killed-on-heap");
    try {
      assert.deepEqual(await committed(["--state-backend", "disk"], latestCheckpoint(onDisk), onDisk), expected, "disk -> disk");
      assert.deepEqual(await committed(["--state-backend", "heap"], latestCheckpoint(onDisk), onDisk), expected, "disk -> heap");
      assert.deepEqual(await committed(["--state-backend", "disk"], latestCheckpoint(onHeap), onHeap), expected, "heap -> disk");
    } finally {
      rmSync(onDisk, { recursive: true, force: true });
      rmSync(onHeap, { recursive: true, force: true });
      rmSync(killedStores, { recursive: true, force: true });
    }
    assert.deepEqual(stateDirsLeft().filter((name) => !before.has(name)), [], "the resumed runs removed their state directories");
  });
});
