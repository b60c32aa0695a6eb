import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../src/core/clock.ts";
import { MemoryCheckpointStorage } from "../../../src/checkpoint/storage/memory-checkpoint-storage.ts";
import { MemoryVolume } from "../../../src/checkpoint/storage/memory-volume.ts";
import { checkpointStorageConformance } from "./checkpoint-storage-conformance.ts";
import { bytesOf, completeCheckpoint, id, startCheckpoint } from "./checkpoint-fixtures.ts";

checkpointStorageConformance("MemoryCheckpointStorage", async () => {
  const volume = new MemoryVolume();
  return {
    storage: new MemoryCheckpointStorage({ jobId: "job-a", volume }),
    storageFor: (jobId) => new MemoryCheckpointStorage({ jobId, volume }),
    volume,
    dispose: async () => {},
  };
});

describe("MemoryCheckpointStorage: the fake itself", () => {
  it("a restarted job resumes from the checkpoints of the previous storage over the same volume", async () => {
    const volume = new MemoryVolume();
    const before = new MemoryCheckpointStorage({ jobId: "job-a", volume });
    const metadata = await completeCheckpoint(before, 3);
    const after = new MemoryCheckpointStorage({ jobId: "job-a", volume });
    assert.deepEqual((await after.resolve("latest")).metadata, metadata);
  });

  it("two storages with fresh volumes share nothing", async () => {
    await completeCheckpoint(new MemoryCheckpointStorage({ jobId: "job-a" }), 1);
    assert.equal(await new MemoryCheckpointStorage({ jobId: "job-a" }).latest(), undefined);
  });

  it("state bytes are copied in and out, so changing a buffer later changes nothing stored", async () => {
    const storage = new MemoryCheckpointStorage({ jobId: "job-a" });
    const bytes = bytesOf("original");
    const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytes);
    bytes[0] = 0;
    const read = await storage.readState(handle);
    read[1] = 0;
    assert.deepEqual(await storage.readState(handle), bytesOf("original"));
  });

  it("times of unfinished checkpoints come from the injected clock", async () => {
    const clock = new ManualClock(5_000);
    const storage = new MemoryCheckpointStorage({ jobId: "job-a", clock });
    await startCheckpoint(storage, 1);
    clock.advance(2_000);
    await startCheckpoint(storage, 2);
    assert.deepEqual((await storage.list()).map((l) => l.time), [5_000, 7_000]);
  });

  it("files live under /memory/checkpoints/<jobId> by default and the volume lists them", async () => {
    const storage = new MemoryCheckpointStorage({ jobId: "job-a" });
    assert.equal(storage.jobDir, "/memory/checkpoints/job-a");
    await completeCheckpoint(storage, 1);
    const files = storage.volume.filePaths();
    assert.equal(files.length, 3);
    assert.ok(files.every((f) => f.startsWith("/memory/checkpoints/job-a/chk-1/")));
    assert.ok(files.includes("/memory/checkpoints/job-a/chk-1/_metadata"));
  });

  it("a write below a path that is a file fails with WEIR_ERR_CHECKPOINT_IO naming it", async () => {
    const volume = new MemoryVolume();
    await volume.writeAtomically("/a/file", bytesOf("x"));
    await assert.rejects(volume.writeAtomically("/a/file/below", bytesOf("y")), (error: unknown) => {
      assert.equal((error as { code?: string }).code, "WEIR_ERR_CHECKPOINT_IO");
      assert.match((error as Error).message, /\/a\/file/);
      return true;
    });
  });
});
