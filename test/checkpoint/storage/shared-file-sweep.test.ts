/**
 * At the start of a run the storage deletes the files under `shared/` that no complete checkpoint
 * of the job references (changes files of aborted checkpoints, bases materialised after the last
 * checkpoint, temp files of a crash), and keeps every file a complete checkpoint or the restored
 * metadata references.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { MemoryCheckpointStorage } from "../../../src/checkpoint/storage/memory-checkpoint-storage.ts";
import { MemoryVolume } from "../../../src/checkpoint/storage/memory-volume.ts";
import { tempFileFor } from "../../../src/checkpoint/storage/checkpoint-paths.ts";
import type { StateHandle } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { bytesOf, id, metadataWith } from "./checkpoint-fixtures.ts";

const owner = (subtask: number) => ({ operatorId: "counts", subtask });

async function sharedFiles(volume: MemoryVolume, storage: MemoryCheckpointStorage): Promise<string[]> {
  return (await volume.list(storage.paths.sharedDir)).map((e) => join(storage.paths.sharedDir, e.name)).sort();
}

/** A job dir with checkpoint 1 complete over shared files `base` and `changes`, checkpoint 2 never completed over `abandoned`, and an orphan base. */
async function leakyJob() {
  const volume = new MemoryVolume();
  const storage = new MemoryCheckpointStorage({ jobId: "job-a", volume });
  const base = await storage.writeSharedState(owner(0), bytesOf("base"));
  const changes = await storage.writeSharedState(owner(0), bytesOf("changes 1"));
  const own = await storage.writeState(id(1), owner(1), bytesOf("operator state"));
  await storage.writeMetadata(metadataWith("job-a", 1, [[base, changes], [own]]));
  const abandoned = await storage.writeSharedState(owner(0), bytesOf("changes 2"));
  await storage.writeState(id(2), owner(1), bytesOf("operator state 2"));
  const orphan = await storage.writeSharedState(owner(0), bytesOf("a base materialised last"));
  const temp = tempFileFor(join(storage.paths.sharedDir, "counts-0-x.state"), "0f0f");
  await volume.writeAtomically(temp, bytesOf("half"));
  return { volume, storage, base, changes, abandoned, orphan, temp };
}

describe("removing shared files no checkpoint references", () => {
  it("deletes changes of an unfinished checkpoint, an orphan base and temp files, and keeps what a complete checkpoint references", async () => {
    const { volume, storage, base, changes, abandoned, orphan, temp } = await leakyJob();
    const deleted = await storage.removeUnreferencedSharedFiles();
    assert.deepEqual(deleted, [abandoned.path, orphan.path, temp].sort());
    assert.deepEqual(await sharedFiles(volume, storage), [base.path, changes.path].sort());
    const restored = (await storage.resolve("latest")).metadata;
    assert.deepEqual(await storage.readState(restored.operators[0]!.subtasks[0]!.state[1]!), bytesOf("changes 1"), "checkpoint 1 still restores");
  });

  it("keeps the files of the metadata a run restores, even when no checkpoint of the job directory references them", async () => {
    const { volume, storage, base, changes, orphan } = await leakyJob();
    const restoring = metadataWith("job-a", 7, [[orphan], []]);
    await storage.removeUnreferencedSharedFiles(restoring);
    assert.ok((await sharedFiles(volume, storage)).includes(orphan.path));
    assert.ok((await sharedFiles(volume, storage)).includes(base.path) && (await sharedFiles(volume, storage)).includes(changes.path));
  });

  it("deletes nothing when a checkpoint's metadata cannot be read, since it may reference any of them", async () => {
    const { volume, storage } = await leakyJob();
    const handle: StateHandle = await storage.writeState(id(3), owner(1), bytesOf("x"));
    await storage.writeMetadata(metadataWith("job-a", 3, [[], [handle]]));
    await volume.writeAtomically(storage.paths.metadataFile(id(3)), bytesOf("{"));
    const before = await sharedFiles(volume, storage);
    assert.deepEqual(await storage.removeUnreferencedSharedFiles(), []);
    assert.deepEqual(await sharedFiles(volume, storage), before);
  });

  it("a job without shared files has nothing to delete", async () => {
    const storage = new MemoryCheckpointStorage({ jobId: "job-a" });
    assert.deepEqual(await storage.removeUnreferencedSharedFiles(), []);
  });
});
