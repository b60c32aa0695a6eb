/**
 * The conformance suite every CheckpointStorage passes: state files, completion by metadata,
 * detection of damage, latest / list / resolve, discard, retention and cancel cleanup. A storage's
 * test file calls `checkpointStorageConformance` with a factory of fresh, empty fixtures.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import type { CheckpointMetadata, StateHandle } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { CheckpointPaths, metadataFileIn, tempFileFor } from "../../../src/checkpoint/storage/checkpoint-paths.ts";
import type { CheckpointStorage } from "../../../src/checkpoint/storage/checkpoint-storage.ts";
import type { CheckpointCorruptError } from "../../../src/checkpoint/storage/checkpoint-storage-errors.ts";
import type { CheckpointVolume } from "../../../src/checkpoint/storage/checkpoint-volume.ts";
import { METADATA_FORMAT_MARKER } from "../../../src/checkpoint/storage/metadata-codec.ts";
import { bytesOf, completeCheckpoint, id, metadataWith, startCheckpoint, storageError } from "./checkpoint-fixtures.ts";

export interface StorageFixture {
  /** A storage of job "job-a" over an empty root. */
  readonly storage: CheckpointStorage;
  /** A storage of another job over the same root and files. */
  storageFor(jobId: string): CheckpointStorage;
  /** The files behind the storages, to damage them as a crash or a disk would. */
  readonly volume: CheckpointVolume;
  dispose(): Promise<void>;
}

export type StorageFactory = () => Promise<StorageFixture>;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function pathsOf(storage: CheckpointStorage): CheckpointPaths {
  return new CheckpointPaths(dirname(storage.jobDir), storage.jobId);
}

async function rewriteMetadata(volume: CheckpointVolume, path: string, edit: (file: { checksum: string; metadata: Record<string, unknown> }) => void): Promise<void> {
  const file = JSON.parse(new TextDecoder().decode(await volume.read(path))) as { checksum: string; metadata: Record<string, unknown> };
  edit(file);
  await volume.writeAtomically(path, bytesOf(JSON.stringify(file)));
}

function recomputeChecksum(file: { checksum: string; metadata: Record<string, unknown> }): void {
  file.checksum = createHash("sha256").update(JSON.stringify(file.metadata)).digest("hex");
}

function corruption(reason: CheckpointCorruptError["reason"], path: string): (error: unknown) => boolean {
  return (error) => {
    storageError("WEIR_ERR_CHECKPOINT_CORRUPT", path)(error);
    assert.equal((error as CheckpointCorruptError).reason, reason);
    assert.equal((error as CheckpointCorruptError).path, path);
    return true;
  };
}

export function checkpointStorageConformance(name: string, create: StorageFactory): void {
  const fixtures: StorageFixture[] = [];
  const fresh = async () => {
    const fixture = await create();
    fixtures.push(fixture);
    return fixture;
  };
  after(async () => {
    for (const fixture of fixtures) await fixture.dispose();
  });

  describe(`${name}: state files`, () => {
    it("a state file reads back exactly the bytes written, empty and binary ones included", async () => {
      const { storage } = await fresh();
      const binary = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37) & 0xff);
      for (const bytes of [new Uint8Array(0), binary, bytesOf("ünïcödé")]) {
        const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytes);
        assert.deepEqual(await storage.readState(handle), bytes);
      }
    });

    it("a state handle records the length and the SHA-256 of the bytes", async () => {
      const { storage } = await fresh();
      const bytes = bytesOf("some state");
      const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 3 }, bytes);
      assert.equal(handle.bytes, bytes.length);
      assert.equal(handle.checksum, sha256(bytes));
    });

    it("a state file lies directly in its checkpoint's directory", async () => {
      const { storage } = await fresh();
      const handle = await storage.writeState(id(7), { operatorId: "op", subtask: 0 }, bytesOf("x"));
      assert.equal(dirname(handle.path), pathsOf(storage).checkpointDir(id(7)));
    });

    it("two writes for the same owner and checkpoint never share a file", async () => {
      const { storage } = await fresh();
      const owner = { operatorId: "op", subtask: 0 };
      const [a, b] = await Promise.all([storage.writeState(id(1), owner, bytesOf("a")), storage.writeState(id(1), owner, bytesOf("b"))]);
      assert.notEqual(a.path, b.path);
      assert.deepEqual(await storage.readState(a), bytesOf("a"));
      assert.deepEqual(await storage.readState(b), bytesOf("b"));
    });

    it("odd operator ids give safe file names inside the checkpoint directory", async () => {
      const { storage } = await fresh();
      const chkDir = pathsOf(storage).checkpointDir(id(2));
      for (const operatorId of ["a/b", "..", ".", "", "../../escape", "a\\b", "名前/ü", "x".repeat(300), "with space:colon*star?"]) {
        const handle = await storage.writeState(id(2), { operatorId, subtask: 1 }, bytesOf(operatorId));
        assert.equal(dirname(handle.path), chkDir, `operator id ${JSON.stringify(operatorId)}`);
        assert.match(basename(handle.path), /^[A-Za-z0-9_%~]{1,64}-1-[A-Za-z0-9-]+\.state$/);
        assert.deepEqual(await storage.readState(handle), bytesOf(operatorId));
      }
    });

    it("reading a deleted state file raises WEIR_ERR_CHECKPOINT_STATE_MISSING naming the file", async () => {
      const { storage, volume } = await fresh();
      const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytesOf("gone soon"));
      await volume.remove(handle.path);
      await assert.rejects(storage.readState(handle), storageError("WEIR_ERR_CHECKPOINT_STATE_MISSING", handle.path));
    });

    it("reading a state file of another length raises a size corruption naming the file and both lengths", async () => {
      const { storage, volume } = await fresh();
      const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytesOf("twelve bytes"));
      await volume.writeAtomically(handle.path, bytesOf("twelve"));
      await assert.rejects(storage.readState(handle), (error) => {
        corruption("size", handle.path)(error);
        assert.match((error as Error).message, /6 bytes.*recorded 12.*truncated/);
        return true;
      });
    });

    it("reading a state file whose bytes changed but not its length raises a checksum corruption", async () => {
      const { storage, volume } = await fresh();
      const handle = await storage.writeState(id(1), { operatorId: "op", subtask: 0 }, bytesOf("abcdef"));
      await volume.writeAtomically(handle.path, bytesOf("abcdeX"));
      await assert.rejects(storage.readState(handle), corruption("checksum", handle.path));
    });
  });

  describe(`${name}: completing a checkpoint`, () => {
    it("written metadata reads back equal through readMetadata, latest and resolve", async () => {
      const { storage } = await fresh();
      const metadata = await completeCheckpoint(storage, 3);
      assert.deepEqual(await storage.readMetadata(id(3)), metadata);
      assert.deepEqual(await storage.latest(), metadata);
      assert.deepEqual(await storage.resolve("latest"), { path: pathsOf(storage).metadataFile(id(3)), metadata });
    });

    it("writeMetadata resolves to the path of the checkpoint's _metadata", async () => {
      const { storage } = await fresh();
      const path = await storage.writeMetadata(metadataWith(storage.jobId, 4));
      assert.equal(path, pathsOf(storage).metadataFile(id(4)));
    });

    it("a checkpoint is incomplete until its metadata is written, complete after", async () => {
      const { storage } = await fresh();
      const handle = await startCheckpoint(storage, 1);
      assert.deepEqual((await storage.list()).map((l) => l.status), ["incomplete"]);
      await assert.rejects(storage.readMetadata(id(1)), storageError("WEIR_ERR_CHECKPOINT_INCOMPLETE", pathsOf(storage).checkpointDir(id(1))));
      await storage.writeMetadata(metadataWith(storage.jobId, 1, [[handle], []]));
      assert.deepEqual((await storage.list()).map((l) => l.status), ["complete"]);
    });

    it("metadata with a bad field is refused on write, naming the field, and nothing is written", async () => {
      const { storage } = await fresh();
      const good = metadataWith(storage.jobId, 1);
      const bad = { ...good, operators: [{ ...good.operators[0]!, subtasks: [{ subtask: 5, state: [] }] }] };
      await assert.rejects(storage.writeMetadata(bad), storageError("WEIR_ERR_INVALID_ARGUMENT", "operators[0].subtasks[0].subtask"));
      assert.deepEqual(await storage.list(), []);
    });

    it("metadata of another job is refused on write", async () => {
      const { storage } = await fresh();
      await assert.rejects(storage.writeMetadata(metadataWith("job-b", 1)), storageError("WEIR_ERR_INVALID_ARGUMENT", "job-b", "job-a"));
      assert.deepEqual(await storage.list(), []);
    });

    it("metadata referencing a missing state file is refused, and the checkpoint stays incomplete", async () => {
      const { storage, volume } = await fresh();
      const handle = await startCheckpoint(storage, 1);
      await volume.remove(handle.path);
      await storage.writeState(id(1), { operatorId: "other", subtask: 0 }, bytesOf("keeps the directory"));
      await assert.rejects(storage.writeMetadata(metadataWith(storage.jobId, 1, [[handle], []])), storageError("WEIR_ERR_CHECKPOINT_STATE_MISSING", handle.path));
      assert.deepEqual((await storage.list()).map((l) => l.status), ["incomplete"]);
    });

    it("writing metadata twice for one checkpoint raises WEIR_ERR_CHECKPOINT_EXISTS and keeps the first", async () => {
      const { storage } = await fresh();
      const first = await completeCheckpoint(storage, 2);
      const second = { ...metadataWith(storage.jobId, 2), jobFingerprint: "another" };
      await assert.rejects(storage.writeMetadata(second), storageError("WEIR_ERR_CHECKPOINT_EXISTS", pathsOf(storage).metadataFile(id(2))));
      assert.deepEqual(await storage.readMetadata(id(2)), first);
    });

    it("an id that is not a positive integer is refused", async () => {
      const { storage } = await fresh();
      await assert.rejects(storage.writeState(0 as never, { operatorId: "op", subtask: 0 }, bytesOf("x")), storageError("WEIR_ERR_INVALID_ARGUMENT", "0"));
      await assert.rejects(storage.readMetadata(1.5 as never), storageError("WEIR_ERR_INVALID_ARGUMENT", "1.5"));
    });
  });

  describe(`${name}: damaged metadata`, () => {
    it("readMetadata of a checkpoint that does not exist raises WEIR_ERR_CHECKPOINT_NOT_FOUND naming its directory", async () => {
      const { storage } = await fresh();
      await completeCheckpoint(storage, 1);
      await assert.rejects(storage.readMetadata(id(2)), storageError("WEIR_ERR_CHECKPOINT_NOT_FOUND", pathsOf(storage).checkpointDir(id(2))));
    });

    it("truncated metadata is corrupt as unparseable, naming the file", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const path = pathsOf(storage).metadataFile(id(1));
      const bytes = (await volume.read(path))!;
      await volume.writeAtomically(path, bytes.slice(0, bytes.length >> 1));
      await assert.rejects(storage.readMetadata(id(1)), corruption("unparseable", path));
    });

    it("empty metadata is corrupt as unparseable", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const path = pathsOf(storage).metadataFile(id(1));
      await volume.writeAtomically(path, new Uint8Array(0));
      await assert.rejects(storage.readMetadata(id(1)), corruption("unparseable", path));
    });

    it("metadata whose content no longer matches its checksum is corrupt as checksum", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const path = pathsOf(storage).metadataFile(id(1));
      await rewriteMetadata(volume, path, (file) => {
        file.metadata.jobFingerprint = "tampered";
      });
      await assert.rejects(storage.readMetadata(id(1)), corruption("checksum", path));
    });

    it("metadata of another format version is refused as incompatible, naming the file", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const path = pathsOf(storage).metadataFile(id(1));
      await rewriteMetadata(volume, path, (file) => {
        file.metadata.formatVersion = 2;
        recomputeChecksum(file);
      });
      await assert.rejects(storage.readMetadata(id(1)), storageError("WEIR_ERR_INCOMPATIBLE_FORMAT_VERSION", path, "format version 2"));
    });

    it("JSON that is not a metadata envelope is corrupt as not-metadata", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const path = pathsOf(storage).metadataFile(id(1));
      await volume.writeAtomically(path, bytesOf(JSON.stringify({ format: "something-else", metadata: {} })));
      await assert.rejects(storage.readMetadata(id(1)), corruption("not-metadata", path));
    });

    it("metadata with a wrong field is corrupt as invalid-field, naming the field", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const path = pathsOf(storage).metadataFile(id(1));
      await rewriteMetadata(volume, path, (file) => {
        (file.metadata.operators as { parallelism: unknown }[])[0]!.parallelism = "two";
        recomputeChecksum(file);
      });
      await assert.rejects(storage.readMetadata(id(1)), (error) => {
        corruption("invalid-field", path)(error);
        assert.equal((error as CheckpointCorruptError).field, "operators[0].parallelism");
        assert.match((error as Error).message, /operators\[0\]\.parallelism/);
        return true;
      });
    });

    it("metadata copied into another checkpoint's directory is corrupt as wrong-checkpoint", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const paths = pathsOf(storage);
      await startCheckpoint(storage, 2);
      await volume.writeAtomically(paths.metadataFile(id(2)), (await volume.read(paths.metadataFile(id(1))))!);
      await assert.rejects(storage.readMetadata(id(2)), corruption("wrong-checkpoint", paths.metadataFile(id(2))));
    });
  });

  describe(`${name}: latest and list`, () => {
    it("latest is undefined when the job has no checkpoint", async () => {
      const { storage } = await fresh();
      assert.equal(await storage.latest(), undefined);
      await startCheckpoint(storage, 1);
      assert.equal(await storage.latest(), undefined);
    });

    it("latest skips newer incomplete checkpoints", async () => {
      const { storage } = await fresh();
      await completeCheckpoint(storage, 1);
      const second = await completeCheckpoint(storage, 2);
      await startCheckpoint(storage, 3);
      await startCheckpoint(storage, 10);
      assert.deepEqual(await storage.latest(), second);
    });

    it("latest raises rather than fall back when the newest metadata is corrupt", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      await completeCheckpoint(storage, 2);
      const path = pathsOf(storage).metadataFile(id(2));
      await volume.writeAtomically(path, bytesOf("{ not json"));
      await assert.rejects(storage.latest(), corruption("unparseable", path));
    });

    it("list reports every checkpoint directory with status, time, size and path, by ascending id", async () => {
      const { storage, volume } = await fresh();
      const paths = pathsOf(storage);
      const corrupt = await completeCheckpoint(storage, 3);
      await volume.writeAtomically(paths.metadataFile(id(3)), bytesOf("[]"));
      const unfinished = await startCheckpoint(storage, 2);
      const complete = await completeCheckpoint(storage, 1);
      const listings = await storage.list();
      assert.deepEqual(listings.map((l) => [l.checkpointId, l.status, l.path]), [
        [1, "complete", paths.checkpointDir(id(1))],
        [2, "incomplete", paths.checkpointDir(id(2))],
        [3, "corrupt", paths.checkpointDir(id(3))],
      ]);
      const stateBytes = (m: CheckpointMetadata) => m.operators[0]!.subtasks.reduce((sum, s) => sum + s.state[0]!.bytes, 0);
      const metadataSize = (await volume.stat(paths.metadataFile(id(1))))!.size;
      assert.equal(listings[0]!.sizeBytes, stateBytes(complete) + metadataSize);
      assert.equal(listings[0]!.time, complete.completedAt);
      assert.equal(listings[1]!.sizeBytes, unfinished.bytes);
      assert.equal(listings[2]!.sizeBytes, stateBytes(corrupt) + 2);
      assert.match(listings[2]!.problem!, /not an object/);
      assert.ok(listings.slice(1).every((l) => Number.isFinite(l.time) && l.time >= 0));
      assert.equal(listings[0]!.problem, undefined);
    });

    it("list ignores names that are not exactly chk-<n>", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 4);
      for (const name of ["chk-007", "chk-0", "chk-x", "chk-", "CHK-5", "chk-5.tmp", "chk--1", "shared", "taskowned"]) {
        await volume.writeAtomically(join(storage.jobDir, name, "some-file"), bytesOf("x"));
      }
      await volume.writeAtomically(join(storage.jobDir, "chk-9"), bytesOf("a file, not a directory"));
      assert.deepEqual((await storage.list()).map((l) => l.checkpointId), [4]);
      assert.equal((await storage.latest())?.checkpointId, 4);
    });

    it("a checkpoint whose only metadata is a temp file left by a crash is incomplete", async () => {
      const { storage, storageFor, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      await completeCheckpoint(storage, 2);
      const paths = pathsOf(storage);
      const bytes = (await volume.read(paths.metadataFile(id(2))))!;
      await storage.discard(id(2));
      await startCheckpoint(storageFor(storage.jobId), 2);
      await volume.writeAtomically(tempFileFor(paths.metadataFile(id(2)), "crashed"), bytes);
      assert.deepEqual((await storage.list()).map((l) => l.status), ["complete", "incomplete"]);
      assert.equal((await storage.latest())?.checkpointId, 1);
    });

    it("storages of different jobs over one root never see each other's checkpoints", async () => {
      const { storage, storageFor } = await fresh();
      const other = storageFor("job-b");
      await completeCheckpoint(storage, 1);
      await completeCheckpoint(other, 5);
      await startCheckpoint(other, 6);
      assert.deepEqual((await storage.list()).map((l) => l.checkpointId), [1]);
      assert.deepEqual((await other.list()).map((l) => l.checkpointId), [5, 6]);
      assert.equal((await storage.latest())?.jobId, "job-a");
    });

    it("a second storage of the same job sees the checkpoints the first one wrote", async () => {
      const { storage, storageFor } = await fresh();
      const metadata = await completeCheckpoint(storage, 8);
      assert.deepEqual(await storageFor("job-a").latest(), metadata);
    });
  });

  describe(`${name}: resolving a --from pointer`, () => {
    it("latest, a chk directory, its _metadata and the job directory all resolve", async () => {
      const { storage } = await fresh();
      const paths = pathsOf(storage);
      const first = await completeCheckpoint(storage, 1);
      const second = await completeCheckpoint(storage, 2);
      await startCheckpoint(storage, 3);
      assert.deepEqual(await storage.resolve("latest"), { path: paths.metadataFile(id(2)), metadata: second });
      assert.deepEqual(await storage.resolve(paths.checkpointDir(id(1))), { path: paths.metadataFile(id(1)), metadata: first });
      assert.deepEqual(await storage.resolve(paths.metadataFile(id(1))), { path: paths.metadataFile(id(1)), metadata: first });
      assert.deepEqual(await storage.resolve(storage.jobDir), { path: paths.metadataFile(id(2)), metadata: second });
      assert.deepEqual(await storage.resolve(`${paths.checkpointDir(id(1))}/../chk-1/`), { path: paths.metadataFile(id(1)), metadata: first });
    });

    it("resolving latest with no checkpoint raises WEIR_ERR_CHECKPOINT_NOT_FOUND naming the job directory", async () => {
      const { storage } = await fresh();
      await assert.rejects(storage.resolve("latest"), storageError("WEIR_ERR_CHECKPOINT_NOT_FOUND", storage.jobDir));
    });

    it("resolving a path where nothing is raises WEIR_ERR_CHECKPOINT_NOT_FOUND naming it", async () => {
      const { storage } = await fresh();
      const nowhere = join(storage.jobDir, "chk-99");
      await assert.rejects(storage.resolve(nowhere), storageError("WEIR_ERR_CHECKPOINT_NOT_FOUND", nowhere, "nothing"));
    });

    it("resolving a directory that holds no checkpoint raises WEIR_ERR_CHECKPOINT_NOT_FOUND", async () => {
      const { storage, volume } = await fresh();
      await volume.writeAtomically(join(storage.jobDir, "notes", "readme"), bytesOf("x"));
      const dir = join(storage.jobDir, "notes");
      await assert.rejects(storage.resolve(dir), storageError("WEIR_ERR_CHECKPOINT_NOT_FOUND", dir, "no chk-<n>"));
    });

    it("resolving a file that is not _metadata raises WEIR_ERR_CHECKPOINT_NOT_FOUND", async () => {
      const { storage } = await fresh();
      const metadata = await completeCheckpoint(storage, 1);
      const statePath = metadata.operators[0]!.subtasks[0]!.state[0]!.path;
      await assert.rejects(storage.resolve(statePath), storageError("WEIR_ERR_CHECKPOINT_NOT_FOUND", statePath, "not a _metadata file"));
    });

    it("resolving a chk directory without metadata raises WEIR_ERR_CHECKPOINT_INCOMPLETE naming it", async () => {
      const { storage } = await fresh();
      await completeCheckpoint(storage, 1);
      await startCheckpoint(storage, 2);
      const dir = pathsOf(storage).checkpointDir(id(2));
      await assert.rejects(storage.resolve(dir), (error) => {
        storageError("WEIR_ERR_CHECKPOINT_INCOMPLETE", dir, "no _metadata")(error);
        assert.equal((error as { checkpointId?: unknown }).checkpointId, 2);
        return true;
      });
    });

    it("resolving a job directory that holds only incomplete checkpoints raises WEIR_ERR_CHECKPOINT_INCOMPLETE listing them", async () => {
      const { storage } = await fresh();
      await startCheckpoint(storage, 1);
      await startCheckpoint(storage, 2);
      await assert.rejects(storage.resolve("latest"), storageError("WEIR_ERR_CHECKPOINT_INCOMPLETE", storage.jobDir, "chk-1, chk-2"));
    });

    it("resolving corrupt metadata raises WEIR_ERR_CHECKPOINT_CORRUPT naming the file", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const path = pathsOf(storage).metadataFile(id(1));
      await rewriteMetadata(volume, path, (file) => {
        file.checksum = "0".repeat(64);
      });
      await assert.rejects(storage.resolve(pathsOf(storage).checkpointDir(id(1))), corruption("checksum", path));
      await assert.rejects(storage.resolve("latest"), corruption("checksum", path));
    });

    it("resolving a checkpoint whose state file is gone raises WEIR_ERR_CHECKPOINT_STATE_MISSING naming the file", async () => {
      const { storage, volume } = await fresh();
      const metadata = await completeCheckpoint(storage, 1);
      const statePath = metadata.operators[0]!.subtasks[1]!.state[0]!.path;
      await volume.remove(statePath);
      await assert.rejects(storage.resolve("latest"), storageError("WEIR_ERR_CHECKPOINT_STATE_MISSING", statePath));
    });

    it("resolving a checkpoint whose state file was truncated raises a size corruption naming the file", async () => {
      const { storage, volume } = await fresh();
      const metadata = await completeCheckpoint(storage, 1);
      const statePath = metadata.operators[0]!.subtasks[0]!.state[0]!.path;
      await volume.writeAtomically(statePath, bytesOf("short"));
      await assert.rejects(storage.resolve("latest"), corruption("size", statePath));
    });

    it("a checkpoint of another job resolves by path, and its state reads back", async () => {
      const { storage, storageFor } = await fresh();
      const other = storageFor("job-b");
      const metadata = await completeCheckpoint(other, 4);
      const resolved = await storage.resolve(other.jobDir);
      assert.deepEqual(resolved.metadata, metadata);
      const handle = metadata.operators[0]!.subtasks[0]!.state[0]!;
      assert.deepEqual(await storage.readState(handle), bytesOf("state of subtask 0 in checkpoint 4"));
    });

    it("a checkpoint directory copied elsewhere resolves from the copy, its state files named there, after the original is gone", async () => {
      const { storage, volume } = await fresh();
      const metadata = await completeCheckpoint(storage, 6);
      const original = pathsOf(storage).checkpointDir(id(6));
      const elsewhere = join(dirname(storage.jobDir), "savepoints", "savepoint-job-a-6");
      for (const entry of await volume.list(original)) {
        await volume.writeAtomically(join(elsewhere, entry.name), (await volume.read(join(original, entry.name)))!);
      }
      await storage.discard(id(6));
      const resolved = await storage.resolve(elsewhere);
      assert.equal(resolved.path, metadataFileIn(elsewhere));
      const handles = resolved.metadata.operators[0]!.subtasks.flatMap((s) => s.state);
      assert.deepEqual([...new Set(handles.map((h) => dirname(h.path)))], [elsewhere]);
      assert.deepEqual(handles.map((h) => basename(h.path)), metadata.operators[0]!.subtasks.flatMap((s) => s.state).map((h) => basename(h.path)));
      assert.deepEqual(await storage.readState(handles[0]!), bytesOf("state of subtask 0 in checkpoint 6"));
    });

    it("writeSavepoint makes a self-contained savepoint that resolves after a move, and removes the checkpoint's own directory", async () => {
      const { storage, volume } = await fresh();
      const first = await storage.writeState(id(9), { operatorId: "counts", subtask: 0 }, bytesOf("savepoint state 0"));
      const second = await storage.writeState(id(9), { operatorId: "counts", subtask: 1 }, bytesOf("savepoint state 1"));
      const target = join(dirname(storage.jobDir), "savepoints");
      const dir = await storage.writeSavepoint(metadataWith(storage.jobId, 9, [[first], [second]]), target);
      assert.equal(dirname(dir), volume.normalize(target));
      assert.match(basename(dir), new RegExp(`^savepoint-${storage.jobId.slice(0, 6)}-[0-9a-f]{12}$`));
      assert.equal(await volume.stat(pathsOf(storage).checkpointDir(id(9))), undefined, "the chk-9 directory is gone");
      assert.deepEqual((await storage.list()).map((c) => c.checkpointId), [], "a savepoint is not one of the job's checkpoints");
      const moved = join(dirname(storage.jobDir), "elsewhere", basename(dir));
      for (const entry of await volume.list(dir)) await volume.writeAtomically(join(moved, entry.name), (await volume.read(join(dir, entry.name)))!);
      await volume.remove(dir);
      const resolved = await storage.resolve(moved);
      assert.equal(resolved.metadata.checkpointId, 9);
      const handles = resolved.metadata.operators[0]!.subtasks.flatMap((s) => s.state);
      assert.deepEqual([...new Set(handles.map((h) => dirname(h.path)))], [moved]);
      assert.deepEqual(await storage.readState(handles[1]!), bytesOf("savepoint state 1"));
    });

    it("writeSavepoint copies a file other checkpoints share, and leaves it where it was", async () => {
      const { storage, volume } = await fresh();
      const own = await storage.writeState(id(4), { operatorId: "counts", subtask: 0 }, bytesOf("own state"));
      const sharedPath = join(storage.jobDir, "shared", "counts-0-shared.state");
      await volume.writeAtomically(sharedPath, bytesOf("shared state"));
      const shared = { path: sharedPath, bytes: bytesOf("shared state").byteLength, checksum: sha256(bytesOf("shared state")) };
      const dir = await storage.writeSavepoint(metadataWith(storage.jobId, 4, [[own, shared], []]), join(dirname(storage.jobDir), "savepoints"));
      const handles = (await storage.resolve(dir)).metadata.operators[0]!.subtasks.flatMap((s) => s.state);
      assert.deepEqual(await Promise.all(handles.map((h) => storage.readState(h))), [bytesOf("own state"), bytesOf("shared state")]);
      assert.deepEqual(await volume.read(sharedPath), bytesOf("shared state"), "the shared file stays for the checkpoints that share it");
    });

    it("writeSavepoint leaves no savepoint directory behind when a state file is missing", async () => {
      const { storage, volume } = await fresh();
      const first = await storage.writeState(id(3), { operatorId: "counts", subtask: 0 }, bytesOf("kept"));
      const gone = await storage.writeState(id(3), { operatorId: "counts", subtask: 1 }, bytesOf("gone"));
      await volume.remove(gone.path);
      const target = join(dirname(storage.jobDir), "savepoints");
      await assert.rejects(storage.writeSavepoint(metadataWith(storage.jobId, 3, [[first], [gone]]), target), storageError("WEIR_ERR_CHECKPOINT_STATE_MISSING"));
      assert.deepEqual(await volume.list(target), []);
    });

    it("_metadata names its state files relative to the checkpoint's directory", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 2);
      const file = JSON.parse(new TextDecoder().decode(await volume.read(pathsOf(storage).metadataFile(id(2))))) as {
        metadata: { operators: { subtasks: { state: { path: string }[] }[] }[] };
      };
      const names = file.metadata.operators.flatMap((o) => o.subtasks.flatMap((s) => s.state.map((h) => h.path)));
      assert.ok(names.length > 0);
      for (const name of names) assert.match(name, /^[^/]+\.state$/, "a file name inside the checkpoint directory, no directory part");
    });

    it("older _metadata naming its state files by absolute path still resolves", async () => {
      const { storage, volume } = await fresh();
      const metadata = await completeCheckpoint(storage, 3);
      const path = pathsOf(storage).metadataFile(id(3));
      await rewriteMetadata(volume, path, (file) => {
        file.metadata = JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>;
        recomputeChecksum(file);
      });
      assert.deepEqual(await storage.resolve(path), { path, metadata });
    });

    it("a state file of a discarded checkpoint is refused with WEIR_ERR_CHECKPOINT_IO, and its directory is not made again", async () => {
      const { storage, volume } = await fresh();
      await startCheckpoint(storage, 5);
      await storage.discard(id(5));
      await assert.rejects(storage.writeState(id(5), { operatorId: "op", subtask: 0 }, bytesOf("late")), storageError("WEIR_ERR_CHECKPOINT_IO"));
      assert.equal(await volume.stat(pathsOf(storage).checkpointDir(id(5))), undefined);
    });
  });

  describe(`${name}: discard, retention and cancel`, () => {
    it("discard deletes the checkpoint's directory with its files, and repeating it is harmless", async () => {
      const { storage, volume } = await fresh();
      const metadata = await completeCheckpoint(storage, 1);
      await completeCheckpoint(storage, 2);
      await storage.discard(id(1));
      await storage.discard(id(1));
      assert.deepEqual((await storage.list()).map((l) => l.checkpointId), [2]);
      assert.equal(await volume.stat(pathsOf(storage).checkpointDir(id(1))), undefined);
      assert.equal(await volume.stat(metadata.operators[0]!.subtasks[0]!.state[0]!.path), undefined);
    });

    it("retain keeps exactly the newest N complete checkpoints and reports the discarded ids", async () => {
      const { storage } = await fresh();
      for (let n = 1; n <= 5; n++) await completeCheckpoint(storage, n);
      assert.deepEqual(await storage.retain(2), [1, 2, 3]);
      assert.deepEqual((await storage.list()).map((l) => l.checkpointId), [4, 5]);
      assert.deepEqual(await storage.retain(2), []);
    });

    it("retain deletes incomplete and corrupt checkpoints older than the newest complete one, and nothing newer", async () => {
      const { storage, volume } = await fresh();
      await startCheckpoint(storage, 1);
      await completeCheckpoint(storage, 2);
      await completeCheckpoint(storage, 3);
      await volume.writeAtomically(pathsOf(storage).metadataFile(id(3)), bytesOf("garbage"));
      await completeCheckpoint(storage, 4);
      await startCheckpoint(storage, 5);
      await completeCheckpoint(storage, 6);
      await volume.writeAtomically(pathsOf(storage).metadataFile(id(6)), bytesOf("garbage"));
      assert.deepEqual(await storage.retain(10), [1, 3]);
      assert.deepEqual((await storage.list()).map((l) => [l.checkpointId, l.status]), [
        [2, "complete"],
        [4, "complete"],
        [5, "incomplete"],
        [6, "corrupt"],
      ]);
    });

    it("retain of one keeps only the newest complete checkpoint", async () => {
      const { storage } = await fresh();
      await completeCheckpoint(storage, 1);
      await completeCheckpoint(storage, 2);
      await startCheckpoint(storage, 3);
      assert.deepEqual(await storage.retain(1), [1]);
      assert.deepEqual((await storage.list()).map((l) => l.checkpointId), [2, 3]);
    });

    it("retain deletes nothing while no checkpoint is complete", async () => {
      const { storage } = await fresh();
      await startCheckpoint(storage, 1);
      await startCheckpoint(storage, 2);
      assert.deepEqual(await storage.retain(1), []);
      assert.equal((await storage.list()).length, 2);
    });

    it("retain refuses to keep fewer than one checkpoint", async () => {
      const { storage } = await fresh();
      await completeCheckpoint(storage, 1);
      await assert.rejects(storage.retain(0), storageError("WEIR_ERR_INVALID_ARGUMENT", "at least 1"));
      await assert.rejects(storage.retain(1.5), storageError("WEIR_ERR_INVALID_ARGUMENT"));
      assert.equal((await storage.list()).length, 1);
    });

    it("retain leaves shared files no checkpoint referenced, and task-owned files, alone", async () => {
      const { storage, volume } = await fresh();
      const paths = pathsOf(storage);
      const shared = paths.sharedStateFile({ operatorId: "op", subtask: 0 }, "s1");
      const owned = paths.taskOwnedStateFile({ operatorId: "op", subtask: 0 }, "t1");
      await volume.writeAtomically(shared, bytesOf("shared"));
      await volume.writeAtomically(owned, bytesOf("owned"));
      for (let n = 1; n <= 3; n++) await completeCheckpoint(storage, n);
      await storage.retain(1);
      assert.deepEqual(await volume.read(shared), bytesOf("shared"));
      assert.deepEqual(await volume.read(owned), bytesOf("owned"));
    });

    it("retain deletes temp files inside the checkpoints it keeps, and nothing else in them", async () => {
      const { storage, volume } = await fresh();
      const paths = pathsOf(storage);
      const metadata = await completeCheckpoint(storage, 1);
      const leftover = tempFileFor(join(paths.checkpointDir(id(1)), "op-0-x.state"), "crashed");
      await volume.writeAtomically(leftover, bytesOf("half"));
      const newerLeftover = tempFileFor(join(paths.checkpointDir(id(2)), "op-0-y.state"), "inflight");
      await volume.writeAtomically(newerLeftover, bytesOf("being written"));
      await storage.retain(1);
      assert.equal(await volume.stat(leftover), undefined);
      assert.ok(await volume.stat(newerLeftover), "a checkpoint newer than the newest complete one is not touched");
      assert.deepEqual(await storage.resolve("latest"), { path: paths.metadataFile(id(1)), metadata });
    });

    it("cancel with the delete policy removes all the job's files and leaves other jobs alone", async () => {
      const { storage, storageFor, volume } = await fresh();
      const other = storageFor("job-b");
      await completeCheckpoint(storage, 1);
      await startCheckpoint(storage, 2);
      await volume.writeAtomically(pathsOf(storage).sharedStateFile({ operatorId: "op", subtask: 0 }, "s"), bytesOf("x"));
      const kept = await completeCheckpoint(other, 1);
      await storage.cleanupOnCancel("delete");
      assert.equal(await volume.stat(storage.jobDir), undefined);
      assert.deepEqual(await storage.list(), []);
      assert.deepEqual(await other.latest(), kept);
    });

    it("cancel with the retain policy keeps complete checkpoints and deletes incomplete ones", async () => {
      const { storage } = await fresh();
      await completeCheckpoint(storage, 1);
      const second = await completeCheckpoint(storage, 2);
      await startCheckpoint(storage, 3);
      await storage.cleanupOnCancel("retain");
      assert.deepEqual((await storage.list()).map((l) => [l.checkpointId, l.status]), [
        [1, "complete"],
        [2, "complete"],
      ]);
      assert.deepEqual((await storage.resolve("latest")).metadata, second);
    });

    it("the metadata file holds the envelope marker, so other tools can tell what it is", async () => {
      const { storage, volume } = await fresh();
      await completeCheckpoint(storage, 1);
      const text = new TextDecoder().decode(await volume.read(pathsOf(storage).metadataFile(id(1))));
      assert.equal((JSON.parse(text) as { format: string }).format, METADATA_FORMAT_MARKER);
    });
  });

  describe(`${name}: shared files of incremental checkpoints`, () => {
    /** Completes checkpoint `n` with subtask 0 referencing `shared` (base first) and a file of its own. */
    const complete = async (storage: CheckpointStorage, n: number, shared: readonly StateHandle[]) => {
      const own = await storage.writeState(id(n), { operatorId: "counts", subtask: 0 }, bytesOf(`own ${n}`));
      await storage.writeMetadata(metadataWith(storage.jobId, n, [[...shared, own], []]));
    };

    it("a shared file is written under shared/, durably, and read back through its handle", async () => {
      const { storage } = await fresh();
      const handle = await storage.writeSharedState({ operatorId: "counts", subtask: 0 }, bytesOf("base"));
      assert.equal(dirname(handle.path), pathsOf(storage).sharedDir);
      assert.deepEqual(await storage.readState(handle), bytesOf("base"));
    });

    it("retention deletes a shared file only when no remaining complete checkpoint references it", async () => {
      const { storage, volume } = await fresh();
      const write = (text: string) => storage.writeSharedState({ operatorId: "counts", subtask: 0 }, bytesOf(text));
      const base = await write("base");
      const changes2 = await write("changes 2");
      const changes3 = await write("changes 3");
      await complete(storage, 1, [base]);
      await complete(storage, 2, [base, changes2]);
      await complete(storage, 3, [base, changes2, changes3]);
      const materialized = await write("base at 3");
      const changes4 = await write("changes 4");
      await complete(storage, 4, [materialized, changes4]);
      await storage.retain(2);
      for (const kept of [base, changes2, changes3, materialized, changes4]) assert.notEqual(await volume.stat(kept.path), undefined, `${kept.path} is referenced by checkpoint 3 or 4`);
      await storage.retain(1);
      for (const gone of [base, changes2, changes3]) assert.equal(await volume.stat(gone.path), undefined, `${gone.path} is referenced by no checkpoint left`);
      for (const kept of [materialized, changes4]) assert.deepEqual(await storage.readState(kept), await volume.read(kept.path));
    });

    it("discarding a checkpoint keeps the shared files a newer one references, and those no complete checkpoint references yet", async () => {
      const { storage, volume } = await fresh();
      const base = await storage.writeSharedState({ operatorId: "counts", subtask: 0 }, bytesOf("base"));
      await complete(storage, 1, [base]);
      await complete(storage, 2, [base]);
      const inFlight = await storage.writeSharedState({ operatorId: "counts", subtask: 0 }, bytesOf("changes of checkpoint 3, being written"));
      await storage.discard(id(1));
      assert.deepEqual(await volume.read(base.path), bytesOf("base"));
      assert.notEqual(await volume.stat(inFlight.path), undefined);
      await storage.discard(id(2));
      assert.equal(await volume.stat(base.path), undefined);
    });

    it("a savepoint holds copies of the shared files, which stay for the checkpoints after it", async () => {
      const { storage, volume } = await fresh();
      const base = await storage.writeSharedState({ operatorId: "counts", subtask: 0 }, bytesOf("base"));
      await complete(storage, 1, [base]);
      const own = await storage.writeState(id(2), { operatorId: "counts", subtask: 0 }, bytesOf("own 2"));
      const dir = await storage.writeSavepoint(metadataWith(storage.jobId, 2, [[base, own], []]), join(dirname(storage.jobDir), "savepoints"));
      assert.deepEqual(await volume.read(base.path), bytesOf("base"), "checkpoint 3 continues the chain the savepoint was taken from");
      await complete(storage, 3, [base]);
      await storage.retain(1);
      await storage.discard(id(3));
      assert.equal(await volume.stat(base.path), undefined);
      const savepoint = await storage.resolve(dir);
      const handles = savepoint.metadata.operators[0]!.subtasks[0]!.state;
      assert.ok(handles.every((h) => dirname(h.path) === dir), "every file of the savepoint lies inside it");
      assert.deepEqual(await storage.readState(handles[0]!), bytesOf("base"));
    });

    it("the listing gives each complete checkpoint's own bytes and the bytes of the shared files it references", async () => {
      const { storage } = await fresh();
      const base = await storage.writeSharedState({ operatorId: "counts", subtask: 0 }, bytesOf("0123456789"));
      const changes = await storage.writeSharedState({ operatorId: "counts", subtask: 0 }, bytesOf("abc"));
      await complete(storage, 1, [base]);
      await complete(storage, 2, [base, changes]);
      const [first, second] = await storage.list();
      assert.deepEqual([first!.sharedBytes, second!.sharedBytes], [10, 13]);
      assert.ok(second!.sizeBytes >= bytesOf("own 2").length);
    });
  });
}
