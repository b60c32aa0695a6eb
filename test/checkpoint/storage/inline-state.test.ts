/**
 * State below the storage's memory threshold (Flink's `state.storage.fs.memory-threshold`) is kept
 * inside `_metadata` rather than in a file: the handle carries the bytes, no file is written, and
 * every read, check, savepoint and deletion works on such handles as on files.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryCheckpointStorage } from "../../../src/checkpoint/storage/memory-checkpoint-storage.ts";
import { MemoryVolume } from "../../../src/checkpoint/storage/memory-volume.ts";
import { isInlineState, type StateHandle } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { checksumOf } from "../../../src/checkpoint/storage/checksum.ts";
import { decodeMetadata, encodeMetadata } from "../../../src/checkpoint/storage/metadata-codec.ts";
import { metadataFileIn } from "../../../src/checkpoint/storage/checkpoint-paths.ts";
import { bytesOf, id, metadataWith, storageError } from "./checkpoint-fixtures.ts";

const THRESHOLD = 64;

function storageWith(volume = new MemoryVolume(), memoryThreshold = THRESHOLD) {
  return { volume, storage: new MemoryCheckpointStorage({ jobId: "job-a", volume, memoryThreshold }) };
}

/** Rewrites `_metadata` of checkpoint `n` with `change` applied to its metadata, its own checksum recomputed so that only the change is wrong. */
async function tamperMetadata(volume: MemoryVolume, path: string, change: (metadata: { operators: { subtasks: { state: Record<string, unknown>[] }[] }[] }) => void): Promise<void> {
  const envelope = JSON.parse(new TextDecoder().decode(await volume.read(path))) as { checksum: string; metadata: Parameters<typeof change>[0] };
  change(envelope.metadata);
  envelope.checksum = checksumOf(JSON.stringify(envelope.metadata));
  await volume.writeAtomically(path, bytesOf(JSON.stringify(envelope)));
}

describe("state kept inside _metadata", () => {
  it("state smaller than the threshold gets a handle with its bytes, and no file is written", async () => {
    const { volume, storage } = storageWith();
    const small = bytesOf("x".repeat(THRESHOLD - 1));
    const handle = await storage.writeState(id(1), { operatorId: "counts", subtask: 0 }, small);
    assert.ok(isInlineState(handle));
    assert.equal(handle.bytes, THRESHOLD - 1);
    assert.equal(handle.checksum, checksumOf(small));
    assert.equal(await volume.stat(handle.path), undefined, "no file at the handle's path");
    assert.deepEqual(await volume.list(storage.paths.checkpointDir(id(1))), [], "the checkpoint's directory is not even made");
    small[0] = 0;
    assert.deepEqual(await storage.readState(handle), bytesOf("x".repeat(THRESHOLD - 1)), "the handle holds a copy");
  });

  it("state of the threshold's size or more is a file, and a threshold of 0 makes every state a file", async () => {
    const { volume, storage } = storageWith();
    const atThreshold = await storage.writeState(id(1), { operatorId: "counts", subtask: 0 }, bytesOf("y".repeat(THRESHOLD)));
    assert.equal(isInlineState(atThreshold), false);
    assert.equal((await volume.stat(atThreshold.path))?.size, THRESHOLD);
    const { storage: off } = storageWith(new MemoryVolume(), 0);
    assert.equal(isInlineState(await off.writeState(id(1), { operatorId: "counts", subtask: 0 }, new Uint8Array(0))), false);
  });

  it("a negative or fractional threshold is refused", () => {
    for (const memoryThreshold of [-1, 1.5, Number.NaN]) {
      assert.throws(() => new MemoryCheckpointStorage({ jobId: "job-a", memoryThreshold }), storageError("WEIR_ERR_INVALID_ARGUMENT", "memory threshold"));
    }
  });

  it("metadata with inline and file state round-trips through _metadata and restores both", async () => {
    const { volume, storage } = storageWith();
    const inline = await storage.writeState(id(2), { operatorId: "counts", subtask: 0 }, bytesOf("small state"));
    const file = await storage.writeState(id(2), { operatorId: "counts", subtask: 1 }, bytesOf("z".repeat(200)));
    const empty = await storage.writeState(id(2), { operatorId: "counts", subtask: 1 }, new Uint8Array(0));
    const metadata = metadataWith("job-a", 2, [[inline], [file, empty]]);
    await storage.writeMetadata(metadata);
    const after = new MemoryCheckpointStorage({ jobId: "job-a", volume });
    const resolved = await after.resolve("latest");
    assert.deepEqual(resolved.metadata, metadata);
    const [read0] = resolved.metadata.operators[0]!.subtasks[0]!.state;
    const [read1, read2] = resolved.metadata.operators[0]!.subtasks[1]!.state;
    assert.deepEqual(await after.readState(read0!), bytesOf("small state"));
    assert.deepEqual(await after.readState(read1!), bytesOf("z".repeat(200)));
    assert.deepEqual(await after.readState(read2!), new Uint8Array(0));
    assert.deepEqual(decodeMetadata(encodeMetadata(metadata), "/m/_metadata"), metadata, "the codec alone round-trips it too");
  });

  it("old metadata, whose state is all in files, still resolves and reads", async () => {
    const { volume, storage: old } = storageWith(new MemoryVolume(), 0);
    const handle = await old.writeState(id(1), { operatorId: "counts", subtask: 0 }, bytesOf("from before"));
    await old.writeMetadata(metadataWith("job-a", 1, [[handle], []]));
    const { storage } = storageWith(volume);
    const resolved = await storage.resolve("latest");
    assert.deepEqual(await storage.readState(resolved.metadata.operators[0]!.subtasks[0]!.state[0]!), bytesOf("from before"));
  });

  it("inline bytes that are not base64, or not as many as the handle records, make _metadata corrupt, naming the field", async () => {
    for (const [inline, problem] of [
      ["not base64!", "expected the state's bytes in base64"],
      [Buffer.from("other length").toString("base64"), "holds 12 bytes, but the handle records 11"],
    ] as const) {
      const { volume, storage } = storageWith();
      const handle = await storage.writeState(id(1), { operatorId: "counts", subtask: 0 }, bytesOf("small state"));
      const path = await storage.writeMetadata(metadataWith("job-a", 1, [[handle], []]));
      await tamperMetadata(volume, path, (m) => {
        m.operators[0]!.subtasks[0]!.state[0]!.inline = inline;
      });
      await assert.rejects(storage.resolve("latest"), storageError("WEIR_ERR_CHECKPOINT_CORRUPT", path, "operators[0].subtasks[0].state[0].inline", problem));
    }
  });

  it("inline bytes changed to others of the same length fail the read with WEIR_ERR_CHECKPOINT_CORRUPT naming the state", async () => {
    const { volume, storage } = storageWith();
    const handle = await storage.writeState(id(1), { operatorId: "counts", subtask: 0 }, bytesOf("small state"));
    const path = await storage.writeMetadata(metadataWith("job-a", 1, [[handle], []]));
    await tamperMetadata(volume, path, (m) => {
      m.operators[0]!.subtasks[0]!.state[0]!.inline = Buffer.from("SMALL STATE").toString("base64");
    });
    const read = (await storage.resolve("latest")).metadata.operators[0]!.subtasks[0]!.state[0]!;
    await assert.rejects(storage.readState(read), storageError("WEIR_ERR_CHECKPOINT_CORRUPT", "kept inside the checkpoint's _metadata", "checksum"));
  });

  it("inline bytes changed without the envelope's checksum are caught by it", async () => {
    const { volume, storage } = storageWith();
    const handle = await storage.writeState(id(1), { operatorId: "counts", subtask: 0 }, bytesOf("small state"));
    const path = await storage.writeMetadata(metadataWith("job-a", 1, [[handle], []]));
    const text = new TextDecoder().decode(await volume.read(path));
    await volume.writeAtomically(path, bytesOf(text.replace(handle.inline!, Buffer.from("SMALL STATE").toString("base64"))));
    await assert.rejects(storage.resolve("latest"), storageError("WEIR_ERR_CHECKPOINT_CORRUPT", path, "checksum"));
  });

  it("a savepoint keeps inline state inline, copies files, and reads both after the checkpoint is gone", async () => {
    const { volume, storage } = storageWith();
    const inline = await storage.writeState(id(3), { operatorId: "counts", subtask: 0 }, bytesOf("small state"));
    const file = await storage.writeState(id(3), { operatorId: "counts", subtask: 1 }, bytesOf("w".repeat(100)));
    const dir = await storage.writeSavepoint(metadataWith("job-a", 3, [[inline], [file]]), "/memory/savepoints");
    const names = (await volume.list(dir)).map((e) => e.name);
    assert.equal(names.length, 2, `the file and _metadata only: ${names.join(", ")}`);
    const resolved = await storage.resolve(dir);
    const [read0] = resolved.metadata.operators[0]!.subtasks[0]!.state;
    const [read1] = resolved.metadata.operators[0]!.subtasks[1]!.state;
    assert.ok(isInlineState(read0!));
    assert.ok(read0!.path.startsWith(dir), `named inside the savepoint: ${read0!.path}`);
    assert.deepEqual(await storage.readState(read0!), bytesOf("small state"));
    assert.deepEqual(await storage.readState(read1!), bytesOf("w".repeat(100)));
    const stored = JSON.parse(new TextDecoder().decode(await volume.read(metadataFileIn(dir)))) as { metadata: { operators: { subtasks: { state: StateHandle[] }[] }[] } };
    assert.equal(stored.metadata.operators[0]!.subtasks[0]!.state[0]!.path, inline.path.split("/").at(-1), "stored relative to the savepoint, as files are");
  });

  it("discard and retention delete checkpoints of inline state", async () => {
    const { volume, storage } = storageWith();
    for (const n of [1, 2, 3]) {
      const handle = await storage.writeState(id(n), { operatorId: "counts", subtask: 0 }, bytesOf(`state ${n}`));
      await storage.writeMetadata(metadataWith("job-a", n, [[handle], []]));
    }
    assert.deepEqual(await storage.retain(1), [id(1), id(2)]);
    assert.deepEqual((await storage.list()).map((c) => `${c.checkpointId} ${c.status}`), ["3 complete"]);
    await storage.discard(id(3));
    assert.deepEqual(await volume.list(storage.jobDir), []);
  });
});
