import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { CheckpointPaths} from "../../../src/checkpoint/storage/checkpoint-paths.ts";
import { tempFileFor } from "../../../src/checkpoint/storage/checkpoint-paths.ts";
import { DiskVolume } from "../../../src/checkpoint/storage/disk-volume.ts";
import { FileCheckpointStorage } from "../../../src/checkpoint/storage/file-checkpoint-storage.ts";
import { checkpointStorageConformance } from "./checkpoint-storage-conformance.ts";
import { bytesOf, completeCheckpoint, id, startCheckpoint, storageError } from "./checkpoint-fixtures.ts";

const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "weir-checkpoints-"));
  roots.push(root);
  return root;
}
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

checkpointStorageConformance("FileCheckpointStorage", async () => {
  const root = await tempRoot();
  return {
    storage: new FileCheckpointStorage({ root, jobId: "job-a" }),
    storageFor: (jobId) => new FileCheckpointStorage({ root, jobId }),
    volume: new DiskVolume(),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

async function fileStorage(): Promise<{ root: string; storage: FileCheckpointStorage; paths: CheckpointPaths }> {
  const root = await tempRoot();
  const storage = new FileCheckpointStorage({ root, jobId: "job-a" });
  return { root, storage, paths: storage.paths };
}

describe("FileCheckpointStorage: on disk", () => {
  it("the default root is ./.weir/checkpoints under the working directory", () => {
    const storage = new FileCheckpointStorage({ jobId: "job-a" });
    assert.equal(storage.jobDir, resolve(".weir", "checkpoints", "job-a"));
  });

  it("a relative root is taken from the working directory, so handles hold absolute paths", async () => {
    const root = await tempRoot();
    const relativeRoot = relative(process.cwd(), join(root, "nested"));
    assert.ok(!isAbsolute(relativeRoot));
    const storage = new FileCheckpointStorage({ root: relativeRoot, jobId: "job-a" });
    const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytesOf("x"));
    assert.ok(isAbsolute(handle.path), handle.path);
    assert.equal(dirname(handle.path), join(root, "nested", "job-a", "chk-1"));
  });

  it("a partial checkpoint directory made by hand is listed incomplete and skipped by latest", async () => {
    const { storage, paths } = await fileStorage();
    const metadata = await completeCheckpoint(storage, 4);
    await mkdir(paths.checkpointDir(id(5)));
    await writeFile(join(paths.checkpointDir(id(5)), "op-0-abc.state"), "half a checkpoint");
    assert.deepEqual((await storage.list()).map((l) => [l.checkpointId, l.status]), [
      [4, "complete"],
      [5, "incomplete"],
    ]);
    assert.deepEqual(await storage.latest(), metadata);
    assert.equal((await storage.list())[1]!.sizeBytes, "half a checkpoint".length);
  });

  it("an empty checkpoint directory is incomplete with size zero", async () => {
    const { storage, paths } = await fileStorage();
    await mkdir(paths.checkpointDir(id(1)), { recursive: true });
    const [listing] = await storage.list();
    assert.equal(listing!.status, "incomplete");
    assert.equal(listing!.sizeBytes, 0);
    assert.ok(Math.abs(listing!.time - Date.now()) < 60_000, "the time of an unfinished checkpoint is its directory's mtime");
  });

  it("truncated metadata on disk is reported corrupt, naming the file", async () => {
    const { storage, paths } = await fileStorage();
    await completeCheckpoint(storage, 1);
    await truncate(paths.metadataFile(id(1)), 40);
    await assert.rejects(storage.resolve("latest"), storageError("WEIR_ERR_CHECKPOINT_CORRUPT", paths.metadataFile(id(1)), "not valid JSON", "40 bytes"));
    const [listing] = await storage.list();
    assert.equal(listing!.status, "corrupt");
    assert.ok(listing!.problem!.includes(paths.metadataFile(id(1))));
  });

  it("a truncated state file on disk is reported, naming the file and both lengths", async () => {
    const { storage } = await fileStorage();
    const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytesOf("0123456789"));
    await truncate(handle.path, 4);
    await assert.rejects(storage.readState(handle), storageError("WEIR_ERR_CHECKPOINT_CORRUPT", handle.path, "4 bytes", "recorded 10"));
  });

  it("a flipped byte in a state file on disk fails its checksum", async () => {
    const { storage } = await fileStorage();
    const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytesOf("0123456789"));
    const content = await readFile(handle.path);
    content[3] ^= 0x01;
    await writeFile(handle.path, content);
    await assert.rejects(storage.readState(handle), storageError("WEIR_ERR_CHECKPOINT_CORRUPT", handle.path, "checksum"));
  });

  it("temp files left by a crash mid-write are ignored, and retain removes those in kept checkpoints", async () => {
    const { storage, paths } = await fileStorage();
    const metadata = await completeCheckpoint(storage, 1);
    const crashedState = tempFileFor(join(paths.checkpointDir(id(1)), "op-0-late.state"), "0f0f");
    await writeFile(crashedState, "half written");
    await mkdir(paths.checkpointDir(id(2)));
    const crashedMetadata = tempFileFor(paths.metadataFile(id(2)), "1a1a");
    await writeFile(crashedMetadata, (await readFile(paths.metadataFile(id(1)))).subarray(0, 30));
    assert.deepEqual((await storage.list()).map((l) => [l.checkpointId, l.status]), [
      [1, "complete"],
      [2, "incomplete"],
    ]);
    assert.deepEqual(await storage.latest(), metadata);
    assert.deepEqual((await storage.resolve(paths.checkpointDir(id(1)))).metadata, metadata);
    await storage.retain(1);
    const left = await readdir(paths.checkpointDir(id(1)));
    assert.ok(!left.some((name) => name.endsWith(".tmp")), left.join(", "));
    assert.equal(left.length, 3);
    await completeCheckpoint(storage, 3);
    await storage.retain(1);
    assert.deepEqual(await readdir(storage.jobDir), ["chk-3"]);
  });

  it("completed writes leave no temp file behind", async () => {
    const { storage, paths } = await fileStorage();
    await completeCheckpoint(storage, 1);
    const names = await readdir(paths.checkpointDir(id(1)));
    assert.equal(names.length, 3);
    assert.ok(names.includes("_metadata"));
    assert.ok(names.every((n) => !n.startsWith(".")), names.join(", "));
  });

  it("retention keeps exactly the newest N complete checkpoint directories on disk", async () => {
    const { storage } = await fileStorage();
    for (let n = 1; n <= 6; n++) await completeCheckpoint(storage, n);
    await startCheckpoint(storage, 7);
    await storage.retain(3);
    assert.deepEqual((await readdir(storage.jobDir)).sort(), ["chk-4", "chk-5", "chk-6", "chk-7"]);
  });

  it("odd operator ids make files only inside the checkpoint directory", async () => {
    const { root, storage, paths } = await fileStorage();
    const ids = ["a/b", "..", "../../../outside", "名前", "ü/ß", "", "con", "x".repeat(500)];
    for (const operatorId of ids) await storage.writeState(id(1), { operatorId, subtask: 0 }, bytesOf(operatorId));
    assert.deepEqual(await readdir(root), ["job-a"]);
    assert.deepEqual(await readdir(storage.jobDir), ["chk-1"]);
    const names = await readdir(paths.checkpointDir(id(1)));
    assert.equal(names.length, ids.length);
    assert.ok(names.every((n) => /^[A-Za-z0-9_%~]{1,64}-0-[0-9a-f-]{36}\.state$/.test(n)), names.join("\n"));
  });

  it("the metadata file is JSON whose checksum is the SHA-256 of the compact metadata", async () => {
    const { storage, paths } = await fileStorage();
    const metadata = await completeCheckpoint(storage, 1);
    const file = JSON.parse(await readFile(paths.metadataFile(id(1)), "utf8")) as { checksum: string; metadata: unknown };
    const onDisk = {
      ...metadata,
      operators: metadata.operators.map((o) => ({ ...o, subtasks: o.subtasks.map((s) => ({ ...s, state: s.state.map((h) => ({ ...h, path: basename(h.path) })) })) })),
    };
    assert.deepEqual(file.metadata, onDisk);
    assert.equal(file.checksum, createHash("sha256").update(JSON.stringify(onDisk)).digest("hex"));
  });

  it("metadata reformatted by hand stays valid, since the checksum covers content and not layout", async () => {
    const { storage, paths } = await fileStorage();
    const metadata = await completeCheckpoint(storage, 1);
    const file = JSON.parse(await readFile(paths.metadataFile(id(1)), "utf8")) as unknown;
    await writeFile(paths.metadataFile(id(1)), JSON.stringify(file, null, 8));
    assert.deepEqual(await storage.readMetadata(id(1)), metadata);
  });

  it("a file where a checkpoint directory belongs makes writes fail with WEIR_ERR_CHECKPOINT_IO naming the path", async () => {
    const { storage, paths } = await fileStorage();
    await mkdir(storage.jobDir, { recursive: true });
    await writeFile(paths.checkpointDir(id(1)), "not a directory");
    await assert.rejects(storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytesOf("x")), storageError("WEIR_ERR_CHECKPOINT_IO", paths.checkpointDir(id(1))));
    assert.deepEqual(await readdir(storage.jobDir), ["chk-1"]);
  });

  it("cancel with the delete policy removes the job directory from disk", async () => {
    const { root, storage } = await fileStorage();
    await completeCheckpoint(storage, 1);
    await storage.cleanupOnCancel("delete");
    assert.deepEqual(await readdir(root), []);
  });
});
