/**
 * Checkpoint files changed on an I/O thread of their own: the storage conformance suite over it,
 * its failures as a DiskVolume's, and its writes going on while the calling thread is busy.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckpointIoError } from "../../../src/checkpoint/storage/checkpoint-storage-errors.ts";
import { DiskVolume } from "../../../src/checkpoint/storage/disk-volume.ts";
import { FileCheckpointStorage } from "../../../src/checkpoint/storage/file-checkpoint-storage.ts";
import { IoThreadVolume } from "../../../src/checkpoint/storage/io-thread-volume.ts";
import { checkpointStorageConformance } from "./checkpoint-storage-conformance.ts";
import { bytesOf } from "./checkpoint-fixtures.ts";

const roots: string[] = [];
const volumes: IoThreadVolume[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "weir-io-thread-"));
  roots.push(root);
  return root;
}
/** A volume whose I/O thread is up, so that its changes are made there. */
async function ioVolume(): Promise<IoThreadVolume> {
  const volume = new IoThreadVolume();
  volumes.push(volume);
  await volume.started();
  return volume;
}
after(async () => {
  for (const volume of volumes) await volume.close();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

checkpointStorageConformance("FileCheckpointStorage over an I/O thread", async () => {
  const root = await tempRoot();
  const volume = await ioVolume();
  return {
    storage: new FileCheckpointStorage({ root, jobId: "job-a", volume }),
    storageFor: (jobId) => new FileCheckpointStorage({ root, jobId, volume }),
    volume,
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

/** What a failure says, for comparing two volumes' failures of the same change. */
function described(error: unknown) {
  assert.ok(error instanceof CheckpointIoError, `a CheckpointIoError, got ${String(error)}`);
  return { code: error.code, path: error.path, operation: error.operation, systemCode: error.systemCode, message: error.message };
}

async function failureOf(change: Promise<void>): Promise<ReturnType<typeof described>> {
  try {
    await change;
  } catch (e) {
    return described(e);
  }
  assert.fail("the change succeeded");
}

describe("IoThreadVolume", () => {
  it("writes, moves and removes files that the calling thread then reads", async () => {
    const root = await tempRoot();
    const volume = await ioVolume();
    const path = join(root, "chk-1", "state");
    await volume.writeAtomically(path, bytesOf("state"));
    assert.deepEqual(await volume.read(path), bytesOf("state"));
    const moved = join(root, "elsewhere", "state");
    await volume.move(path, moved);
    assert.equal(await volume.stat(path), undefined);
    assert.deepEqual(await volume.read(moved), bytesOf("state"));
    await volume.remove(join(root, "elsewhere"));
    assert.deepEqual(await volume.list(root), [{ name: "chk-1", kind: "directory", size: 0, modifiedAt: (await volume.stat(join(root, "chk-1")))!.modifiedAt }]);
  });

  it("fails a change as a DiskVolume does: the same error, path, operation and system code", async () => {
    const root = await tempRoot();
    // A file where a directory belongs.
    await writeFile(join(root, "blocker"), "not a directory");
    const path = join(root, "blocker", "chk-1", "state");
    assert.deepEqual(await failureOf((await ioVolume()).writeAtomically(path, bytesOf("x"))), await failureOf(new DiskVolume().writeAtomically(path, bytesOf("x"))));
    const missing = join(root, "missing");
    assert.deepEqual(await failureOf((await ioVolume()).move(missing, join(root, "to"))), await failureOf(new DiskVolume().move(missing, join(root, "to"))));
  });

  it("completes a write while the calling thread is busy and never yields", async () => {
    const root = await tempRoot();
    const volume = await ioVolume();
    const path = join(root, "chk-1", "state");
    const written = volume.writeAtomically(path, bytesOf("state"));
    // Busy until the file is there: a write that needed this thread's event loop would never get there.
    const giveUp = Date.now() + 60_000;
    while (!existsSync(path) && Date.now() < giveUp) {
      // Busy, as a task thread handing records to a slow operator is.
    }
    assert.ok(existsSync(path), "the file was written while this thread did not yield");
    await written;
  });

  it("makes changes on the calling thread until the I/O thread is up, and after it ended", async () => {
    const root = await tempRoot();
    const volume = new IoThreadVolume();
    await volume.writeAtomically(join(root, "chk-1", "before"), bytesOf("before"));
    await volume.started();
    await volume.close();
    await volume.writeAtomically(join(root, "chk-1", "after"), bytesOf("after"));
    assert.deepEqual(await volume.read(join(root, "chk-1", "before")), bytesOf("before"));
    assert.deepEqual(await volume.read(join(root, "chk-1", "after")), bytesOf("after"));
  });

  it("fails the changes under way when it is closed", async () => {
    const root = await tempRoot();
    const volume = new IoThreadVolume();
    await volume.started();
    const write = volume.writeAtomically(join(root, "chk-1", "state"), bytesOf("x"));
    await volume.close();
    await assert.rejects(write, (e: unknown) => e instanceof CheckpointIoError && e.operation === "write");
  });
});
