import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copiesToDelete, copiesToKeep, forgottenCheckpoints } from "../../../src/checkpoint/local/local-copy-retention.ts";
import { targetOfTempFile } from "../../../src/checkpoint/storage/checkpoint-paths.ts";

const byCheckpoint = (entries: Record<number, string[]>): Map<number, Set<string>> => new Map(Object.entries(entries).map(([id, paths]) => [Number(id), new Set(paths)]));

describe("which local copies a task keeps", () => {
  it("once a checkpoint is confirmed, the copies it references and those of newer checkpoints are kept", () => {
    const written = byCheckpoint({ 1: ["/d/a"], 2: ["/d/b"], 3: ["/d/c"] });
    const reported = byCheckpoint({ 1: ["/d/a"], 2: ["/d/b"] });
    assert.deepEqual([...copiesToKeep(2, written, reported)].sort(), ["/d/b", "/d/c"]);
  });

  it("a file written for an older checkpoint that the confirmed one still references (an incremental reuse) is kept", () => {
    const written = byCheckpoint({ 1: ["/d/shared"], 2: ["/d/delta"] });
    const reported = byCheckpoint({ 1: ["/d/shared"], 2: ["/d/shared", "/d/delta"] });
    assert.deepEqual([...copiesToKeep(2, written, reported)].sort(), ["/d/delta", "/d/shared"]);
  });

  it("a confirmed checkpoint the task never acknowledged keeps nothing of older ones", () => {
    assert.deepEqual([...copiesToKeep(5, byCheckpoint({ 4: ["/d/x"] }), byCheckpoint({ 4: ["/d/x"] }))], []);
  });

  it("every file found that is not kept is deleted, copies of earlier runs and stray temp files included", () => {
    const found = ["/d/keep.state", "/d/old.state", "/d/.keep.state.abc-1.tmp", "/d/.gone.state.abc-2.tmp"];
    assert.deepEqual(copiesToDelete(found, new Set(["/d/keep.state"]), targetOfTempFile), ["/d/old.state", "/d/.gone.state.abc-2.tmp"]);
  });

  it("the bookkeeping of every checkpoint older than the confirmed one is forgotten", () => {
    assert.deepEqual(forgottenCheckpoints(3, [1, 2, 3, 4]), [1, 2]);
  });
});
