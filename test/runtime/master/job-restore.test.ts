import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkpointId } from "../../../src/checkpoint/storage/checkpoint-id.ts";
import type { CheckpointMetadata } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { CheckpointPaths } from "../../../src/checkpoint/storage/checkpoint-paths.ts";
import { chooseRestartRestore, isInStorage } from "../../../src/runtime/master/job-restore.ts";
import type { RestorePoint } from "../../../src/runtime/master/restore-point.ts";

const point = (path: string, id: number): RestorePoint => ({ path, metadata: { checkpointId: checkpointId(id) } as CheckpointMetadata });

describe("chooseRestartRestore", () => {
  it("restores nothing when the run neither resumed nor completed a checkpoint", () => {
    assert.deepEqual(chooseRestartRestore(undefined, undefined), { kind: "nothing" });
  });

  it("restores the checkpoint the run resumed from until the run completes a newer one", () => {
    const resumed = point("/a/job/chk-4/_metadata", 4);
    assert.deepEqual(chooseRestartRestore(undefined, resumed), { kind: "resumed-from" });
    assert.deepEqual(chooseRestartRestore(checkpointId(4), resumed), { kind: "resumed-from" });
    assert.deepEqual(chooseRestartRestore(checkpointId(5), resumed), { kind: "completed", checkpointId: 5 });
  });

  it("restores the newest checkpoint the run completed", () => {
    assert.deepEqual(chooseRestartRestore(checkpointId(2), undefined), { kind: "completed", checkpointId: 2 });
  });
});

describe("isInStorage", () => {
  it("tells a checkpoint of the storage's job directory from one elsewhere", () => {
    const storage = { paths: new CheckpointPaths("/b", "job") };
    assert.equal(isInStorage(point("/b/job/chk-1/_metadata", 1), storage), true);
    assert.equal(isInStorage(point("/b/job/chk-1/_metadata", 2), storage), false, "copied into another checkpoint's place");
    assert.equal(isInStorage(point("/a/job/chk-1/_metadata", 1), storage), false);
    assert.equal(isInStorage(point("/b/savepoints/savepoint-job-1/_metadata", 1), storage), false);
  });
});
