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

/** A thread entry module that throws before the thread is up. */
const FAILING_BOOT = new URL("../../fixtures/io-thread-fails-to-boot.mjs", import.meta.url);

/** A DiskVolume that records the changes made on it, to tell which changes were made on the calling thread. */
class RecordingVolume extends DiskVolume {
  readonly changes: string[] = [];
  override writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
    this.changes.push(`write ${path}`);
    return super.writeAtomically(path, bytes);
  }
  override remove(path: string): Promise<void> {
    this.changes.push(`remove ${path}`);
    return super.remove(path);
  }
  override move(from: string, to: string): Promise<void> {
    this.changes.push(`move ${from} ${to}`);
    return super.move(from, to);
  }
}

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

  it("makes changes on the calling thread until the I/O thread is up, on the thread while it is, and on the calling thread after it ended", async () => {
    const root = await tempRoot();
    const local = new RecordingVolume();
    const volume = new IoThreadVolume({ local });
    await volume.writeAtomically(join(root, "chk-1", "before"), bytesOf("before"));
    await volume.started();
    await volume.writeAtomically(join(root, "chk-1", "during"), bytesOf("during"));
    await volume.remove(join(root, "chk-1", "during"));
    await volume.close();
    await volume.writeAtomically(join(root, "chk-1", "after"), bytesOf("after"));
    assert.deepEqual(local.changes, [`write ${join(root, "chk-1", "before")}`, `write ${join(root, "chk-1", "after")}`]);
    assert.deepEqual(await volume.read(join(root, "chk-1", "before")), bytesOf("before"));
    assert.equal(await volume.stat(join(root, "chk-1", "during")), undefined, "the thread removed what it wrote");
    assert.deepEqual(await volume.read(join(root, "chk-1", "after")), bytesOf("after"));
  });

  it("fails the changes under way when it is closed, even one the thread already made, without waiting for its answer", async () => {
    const root = await tempRoot();
    const volume = new IoThreadVolume();
    await volume.started();
    const path = join(root, "chk-1", "state");
    const write = volume.writeAtomically(path, bytesOf("x"));
    const outcome = write.then(
      () => "written",
      (e: unknown) => e,
    );
    // Busy until the thread made the change: its answer is then on its way, but this thread has not taken it.
    const giveUp = Date.now() + 60_000;
    while (!existsSync(path) && Date.now() < giveUp) {
      // Not yielding, so the answer stays queued.
    }
    assert.ok(existsSync(path));
    await volume.close();
    const e = await outcome;
    assert.ok(e instanceof CheckpointIoError && e.operation === "write" && /closed/.test(String(e.cause)), String(e));
  });

  it("reports once, with the reason, an I/O thread that fails to boot, and makes every change on the calling thread", async () => {
    const root = await tempRoot();
    const local = new RecordingVolume();
    const reasons: Error[] = [];
    const volume = new IoThreadVolume({ local, boot: FAILING_BOOT, onBootFailure: (reason) => reasons.push(reason) });
    volumes.push(volume);
    await assert.rejects(volume.started(), /no I\/O thread here/);
    for (const name of ["a", "b"]) await volume.writeAtomically(join(root, "chk-1", name), bytesOf(name));
    await assert.rejects(volume.started());
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!.message, /no I\/O thread here/);
    assert.deepEqual(local.changes, [`write ${join(root, "chk-1", "a")}`, `write ${join(root, "chk-1", "b")}`]);
  });

  it("reports no boot failure when it is closed, before or after it is up", async () => {
    const reasons: Error[] = [];
    const early = new IoThreadVolume({ onBootFailure: (reason) => reasons.push(reason) });
    void early.started().catch(() => {});
    await early.close();
    const late = new IoThreadVolume({ onBootFailure: (reason) => reasons.push(reason) });
    await late.started();
    await late.close();
    assert.deepEqual(reasons, []);
  });
});
