import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalStatePaths } from "../../../src/checkpoint/local/local-state-paths.ts";
import { TaskLocalStateStore } from "../../../src/checkpoint/local/task-local-state-store.ts";

const root = mkdtempSync(join(tmpdir(), "weir-local-store-"));
after(() => rmSync(root, { recursive: true, force: true }));

const owner = { operatorId: "count", subtask: 1 };
const handleOf = (checkpoint: number, name = "file") => ({ path: `/storage/job/chk-${checkpoint}/count-1-${name}-${checkpoint}.state` });
const bytesOf = (text: string) => new TextEncoder().encode(text);

function newStore(jobId: string): { store: TaskLocalStateStore; dir: string; names: () => string[] } {
  const paths = new LocalStatePaths(root, jobId);
  const dir = paths.subtaskDir(owner);
  return { store: new TaskLocalStateStore(paths), dir, names: () => (existsSync(dir) ? readdirSync(dir).sort() : []) };
}

/** Stores checkpoint `n`'s one file and acknowledges it, as a task does. */
async function checkpoint(store: TaskLocalStateStore, n: number): Promise<void> {
  await store.store(n, owner, handleOf(n), bytesOf(`state ${n}`));
  store.acknowledged(n, [{ owner, handle: handleOf(n) }]);
}

describe("a task's local state copies", () => {
  it("a stored file is copied under the storage file's name, with the same bytes", async () => {
    const { store, dir } = newStore("job-copy");
    await store.store(1, owner, handleOf(1), bytesOf("state 1"));
    assert.equal(readFileSync(join(dir, "count-1-file-1.state"), "utf8"), "state 1");
  });

  it("a confirmed checkpoint deletes the copies of the checkpoints it subsumes and keeps its own and newer ones", async () => {
    const { store, names } = newStore("job-subsume");
    await checkpoint(store, 1);
    await checkpoint(store, 2);
    await store.store(3, owner, handleOf(3), bytesOf("state 3"));
    await store.confirm(2);
    assert.deepEqual(names(), ["count-1-file-2.state", "count-1-file-3.state"]);
    store.acknowledged(3, [{ owner, handle: handleOf(3) }]);
    await store.confirm(3);
    assert.deepEqual(names(), ["count-1-file-3.state"]);
  });

  it("a file a newer checkpoint still references is kept when the checkpoint that wrote it is subsumed", async () => {
    const { store, names } = newStore("job-reuse");
    await checkpoint(store, 1);
    await store.store(2, owner, handleOf(2, "delta"), bytesOf("delta 2"));
    store.acknowledged(2, [
      { owner, handle: handleOf(1) },
      { owner, handle: handleOf(2, "delta") },
    ]);
    await store.confirm(2);
    assert.deepEqual(names(), ["count-1-delta-2.state", "count-1-file-1.state"]);
  });

  it("copies left by an earlier attempt or run are deleted at the first confirmed checkpoint", async () => {
    const { store, dir, names } = newStore("job-earlier");
    await checkpoint(store, 1);
    writeFileSync(join(dir, "count-1-earlier-run.state"), "old");
    writeFileSync(join(dir, ".count-1-torn.state.1234.tmp"), "torn");
    const next = new TaskLocalStateStore(new LocalStatePaths(root, "job-earlier"));
    await checkpoint(next, 2);
    await next.confirm(2);
    assert.deepEqual(names(), ["count-1-file-2.state"]);
  });

  it("an aborted checkpoint's copies are deleted, and a copy of it that finishes late is not kept", async () => {
    const { store, names } = newStore("job-abort");
    await checkpoint(store, 1);
    await store.store(2, owner, handleOf(2), bytesOf("state 2"));
    await store.discard(2);
    assert.deepEqual(names(), ["count-1-file-1.state"]);
    await store.store(2, owner, handleOf(2, "late"), bytesOf("late"));
    assert.deepEqual(names(), ["count-1-file-1.state"]);
  });

  it("a copy that cannot be written is left out without failing the write", async () => {
    const blocked = join(root, "blocked");
    writeFileSync(blocked, "a file where the job directory would be");
    const store = new TaskLocalStateStore(new LocalStatePaths(blocked, "job"));
    await store.store(1, owner, handleOf(1), bytesOf("state 1"));
    await store.confirm(1);
  });
});
