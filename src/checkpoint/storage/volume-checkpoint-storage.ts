/**
 * The one implementation of the CheckpointStorage guarantees, over any CheckpointVolume: it turns
 * checkpoint operations into volume operations on the paths CheckpointPaths makes, gathers facts
 * for the pure decisions (pointer resolution, retention), and carries them out.
 * FileCheckpointStorage and MemoryCheckpointStorage only choose the volume.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { invalidArgument } from "../../core/errors.ts";
import { checksumOf } from "./checksum.ts";
import { checkpointId as toCheckpointId, type CheckpointId } from "./checkpoint-id.ts";
import { inFlightBytesOf, isInlineState, type CheckpointMetadata, type StateHandle } from "./checkpoint-metadata.ts";
import {
  CheckpointPaths,
  isTempFileName,
  metadataFileIn,
  METADATA_FILE_NAME,
  parseCheckpointDirName,
  resolveStateFileReference,
  savepointDir,
  stateFileReference,
  type StateFileOwner,
} from "./checkpoint-paths.ts";
import { planRetainOnCancel, planRetention, releasedSharedFiles, unreferencedSharedFiles, type RetentionPlan } from "./checkpoint-retention.ts";
import type {
  CancelPolicy,
  CheckpointListing,
  CheckpointPointer,
  CheckpointStorage,
  ResolvedCheckpoint,
  StopSavepointRecord,
  WriteAlongside,
  WriteSavepointOptions,
} from "./checkpoint-storage.ts";
import {
  CheckpointCorruptError,
  CheckpointExistsError,
  CheckpointIncompleteError,
  CheckpointIoError,
  CheckpointNotFoundError,
} from "./checkpoint-storage-errors.ts";
import type { CheckpointVolume, VolumeEntry } from "./checkpoint-volume.ts";
import { decodeMetadata, encodeMetadata } from "./metadata-codec.ts";
import { resolvePointer, type PointerFacts } from "./pointer-resolution.ts";
import { checkStateFileContent, checkStateFilePresent, inlineStateContent } from "./state-file-checks.ts";

export interface VolumeCheckpointStorageOptions {
  readonly volume: CheckpointVolume;
  /** The directory holding one directory per job; normalized by the volume. */
  readonly root: string;
  readonly jobId: string;
  /**
   * State smaller than this many bytes is not written as a file but kept in the handle, and so
   * inside `_metadata` (Flink's `state.storage.fs.memory-threshold`). Default 0: every state is a file.
   */
  readonly memoryThreshold?: number;
}

/** The handles whose bytes are in files. */
function fileHandles(metadata: CheckpointMetadata): StateHandle[] {
  return allHandles(metadata).filter((h) => !isInlineState(h));
}

function allHandles(metadata: CheckpointMetadata): StateHandle[] {
  return metadata.operators.flatMap((operator) => operator.subtasks.flatMap((subtask) => subtask.state));
}

/** The metadata with every state file named as `name` says, from the checkpoint directory `dir`. */
function withStatePaths(metadata: CheckpointMetadata, dir: string, name: (dir: string, path: string) => string): CheckpointMetadata {
  return {
    ...metadata,
    operators: metadata.operators.map((operator) => ({
      ...operator,
      subtasks: operator.subtasks.map((subtask) => ({ ...subtask, state: subtask.state.map((h) => ({ ...h, path: name(dir, h.path) })) })),
    })),
  };
}

function hasMetadataFile(entries: readonly VolumeEntry[]): boolean {
  return entries.some((e) => e.name === METADATA_FILE_NAME && e.kind === "file");
}

export class VolumeCheckpointStorage implements CheckpointStorage {
  readonly jobId: string;
  readonly jobDir: string;
  /** The layout of this job's files. */
  readonly paths: CheckpointPaths;
  private readonly medium: CheckpointVolume;
  /** Checkpoints this storage discarded: it never writes into them again, so it never makes their directory anew. */
  private readonly discarded = new Set<CheckpointId>();
  private readonly memoryThreshold: number;

  constructor(options: VolumeCheckpointStorageOptions) {
    const threshold = options.memoryThreshold ?? 0;
    if (!Number.isSafeInteger(threshold) || threshold < 0) throw invalidArgument(`the memory threshold is a whole number of bytes, 0 or more, got ${String(threshold)}`);
    this.memoryThreshold = threshold;
    this.medium = options.volume;
    this.paths = new CheckpointPaths(options.volume.normalize(options.root), options.jobId);
    this.jobId = this.paths.jobId;
    this.jobDir = this.paths.jobDir;
  }

  async writeState(checkpointId: CheckpointId, owner: StateFileOwner, bytes: Uint8Array, alongside?: WriteAlongside): Promise<StateHandle> {
    const id = toCheckpointId(checkpointId);
    const path = this.paths.stateFile(id, owner, randomUUID());
    if (this.discarded.has(id)) throw new CheckpointIoError(path, "write", new Error(`checkpoint ${id} was discarded`));
    const handle = { path, bytes: bytes.length, checksum: checksumOf(bytes) };
    // Small state travels with the acknowledgement into `_metadata`: no file, no sync, no local copy.
    if (bytes.length < this.memoryThreshold) return { ...handle, inline: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64") };
    await Promise.all([this.medium.writeAtomically(path, bytes), alongside?.(handle)]);
    return handle;
  }

  async writeSharedState(owner: StateFileOwner, bytes: Uint8Array, checksum?: string): Promise<StateHandle> {
    const path = this.paths.sharedStateFile(owner, randomUUID());
    const handle = { path, bytes: bytes.length, checksum: checksum ?? checksumOf(bytes) };
    await this.medium.writeAtomically(path, bytes);
    return handle;
  }

  async readState(handle: StateHandle): Promise<Uint8Array> {
    if (isInlineState(handle)) return inlineStateContent(handle);
    return checkStateFileContent(handle, await this.medium.read(handle.path));
  }

  async writeMetadata(metadata: CheckpointMetadata): Promise<string> {
    const dir = this.paths.checkpointDir(metadata.checkpointId);
    const bytes = encodeMetadata(withStatePaths(metadata, dir, stateFileReference));
    if (metadata.jobId !== this.jobId) {
      throw invalidArgument(`checkpoint metadata of job '${metadata.jobId}' cannot be written to the storage of job '${this.jobId}'`);
    }
    const path = metadataFileIn(dir);
    if ((await this.medium.stat(path)) !== undefined) {
      throw new CheckpointExistsError(path, `checkpoint ${metadata.checkpointId} already has metadata at ${path}; a complete checkpoint is never replaced`);
    }
    await this.checkStateFiles(metadata);
    await this.medium.writeAtomically(path, bytes);
    return path;
  }

  async writeSavepoint(metadata: CheckpointMetadata, targetDir: string, options: WriteSavepointOptions = {}): Promise<string> {
    if (metadata.jobId !== this.jobId) {
      throw invalidArgument(`savepoint metadata of job '${metadata.jobId}' cannot be written by the storage of job '${this.jobId}'`);
    }
    await this.checkStateFiles(metadata);
    const dir = savepointDir(this.medium.normalize(targetDir), this.jobId, randomBytes(6).toString("hex"));
    const copies = new Map<string, string>();
    const own = this.paths.checkpointDir(metadata.checkpointId);
    try {
      for (const handle of allHandles(metadata)) {
        if (copies.has(handle.path)) continue;
        const target = join(dir, basename(handle.path));
        copies.set(handle.path, target);
        // Inline state moves with the metadata; its name follows so that it stays unique in the savepoint.
        if (isInlineState(handle)) continue;
        const bytes = await this.medium.read(handle.path);
        if (bytes === undefined) throw new CheckpointIoError(handle.path, "read", new Error("the state file is gone"));
        checkStateFileContent(handle, bytes);
        // The checkpoint's own files are removed below, so they move; files other checkpoints share are copied.
        if (dirname(handle.path) === own) await this.medium.move(handle.path, target);
        else await this.medium.writeAtomically(target, bytes);
      }
      const relocated = withStatePaths(metadata, dir, (_, path) => copies.get(path) ?? path);
      await this.medium.writeAtomically(metadataFileIn(dir), encodeMetadata(withStatePaths(relocated, dir, stateFileReference)));
    } catch (error) {
      // Without `_metadata` the directory is no savepoint: nothing of it is worth keeping.
      await this.medium.remove(dir).catch(() => undefined);
      throw error;
    }
    if (options.recordAsNewest === true) {
      const record: StopSavepointRecord = { checkpointId: metadata.checkpointId, location: dir, completedAt: metadata.completedAt };
      await this.medium.writeAtomically(this.paths.stopSavepointRecord(), new TextEncoder().encode(`${JSON.stringify(record)}\n`));
    }
    // Its shared files stay: the checkpoints after it continue its chain.
    await this.removeCheckpointDir(metadata.checkpointId);
    return dir;
  }

  /**
   * The record of the savepoint this job's last stop-with-savepoint committed, or undefined when
   * there is none. A record that cannot be read is WEIR_ERR_CHECKPOINT_CORRUPT.
   */
  async stopSavepoint(): Promise<StopSavepointRecord | undefined> {
    const path = this.paths.stopSavepointRecord();
    const bytes = await this.medium.read(path);
    if (bytes === undefined) return undefined;
    try {
      const record = JSON.parse(new TextDecoder().decode(bytes)) as Partial<StopSavepointRecord>;
      if (typeof record.location === "string" && typeof record.completedAt === "number" && Number.isSafeInteger(record.checkpointId)) {
        return { checkpointId: toCheckpointId(record.checkpointId!), location: record.location, completedAt: record.completedAt };
      }
    } catch {
      // reported below
    }
    throw new CheckpointCorruptError(path, "unparseable", `the stop-with-savepoint record ${path} cannot be read: it is not the JSON this version writes`);
  }

  async readMetadata(checkpointId: CheckpointId): Promise<CheckpointMetadata> {
    const id = toCheckpointId(checkpointId);
    const dir = this.paths.checkpointDir(id);
    const found = await this.medium.stat(dir);
    if (found?.kind !== "directory") {
      throw new CheckpointNotFoundError(dir, `checkpoint ${id} of job '${this.jobId}' does not exist: there is no directory ${dir}`);
    }
    return this.readMetadataFile(metadataFileIn(dir), id);
  }

  async latest(): Promise<CheckpointMetadata | undefined> {
    const ids = (await this.checkpointDirs()).map((d) => d.checkpointId).sort((a, b) => b - a);
    for (const id of ids) {
      const path = this.paths.metadataFile(id);
      if ((await this.medium.stat(path))?.kind === "file") return this.readMetadataFile(path, id);
    }
    return undefined;
  }

  async list(): Promise<CheckpointListing[]> {
    const dirs = await this.checkpointDirs();
    const listings = await Promise.all(dirs.map((d) => this.describe(d.checkpointId, d.entry)));
    return listings.sort((a, b) => a.checkpointId - b.checkpointId);
  }

  async resolve(pointer: CheckpointPointer): Promise<ResolvedCheckpoint> {
    const path = pointer === "latest" ? this.jobDir : this.medium.normalize(pointer);
    const decision = resolvePointer(path, await this.pointerFacts(path));
    switch (decision.kind) {
      case "not-found":
        throw new CheckpointNotFoundError(decision.path, decision.message);
      case "incomplete":
        throw new CheckpointIncompleteError(decision.path, decision.checkpointId, decision.message);
      case "read-metadata": {
        const metadata = await this.readMetadataFile(decision.metadataPath, decision.checkpointId);
        await this.checkStateFiles(metadata);
        return { path: decision.metadataPath, metadata };
      }
    }
  }

  async discard(checkpointId: CheckpointId): Promise<void> {
    const id = toCheckpointId(checkpointId);
    const released = await this.sharedFilesReleasedBy(id);
    await this.removeCheckpointDir(id);
    for (const path of released) await this.medium.remove(path);
  }

  private async removeCheckpointDir(id: CheckpointId): Promise<void> {
    this.discarded.add(id);
    await this.medium.remove(this.paths.checkpointDir(id));
  }

  /**
   * The shared files checkpoint `id` references that no other complete checkpoint of the job does.
   * None when its metadata, or that of a checkpoint that may reference them, cannot be read: a
   * file kept too long costs space, one deleted too early a checkpoint.
   */
  private async sharedFilesReleasedBy(id: CheckpointId): Promise<string[]> {
    const own = await this.sharedReferences(id);
    if (own === undefined || own.size === 0) return [];
    const others = (await this.checkpointDirs()).filter((d) => d.checkpointId !== id);
    const referenced = await Promise.all(others.map((d) => this.sharedReferences(d.checkpointId)));
    if (referenced.some((r) => r === undefined)) return [];
    return releasedSharedFiles(own, referenced as Set<string>[]);
  }

  /**
   * The shared files checkpoint `id` references: none when it has no `_metadata` (being written,
   * abandoned, or gone meanwhile); undefined when its metadata is unreadable.
   */
  private async sharedReferences(id: CheckpointId): Promise<Set<string> | undefined> {
    const path = this.paths.metadataFile(id);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.medium.read(path);
    } catch {
      return undefined;
    }
    if (bytes === undefined) return new Set();
    try {
      const metadata = withStatePaths(decodeMetadata(bytes, path, id), dirname(path), resolveStateFileReference);
      return new Set(allHandles(metadata).map((h) => h.path).filter((p) => this.paths.isSharedStateFile(p)));
    } catch {
      return undefined;
    }
  }

  /**
   * Deletes the files under `shared/` that no complete checkpoint of the job references, nor
   * `alsoKeep` (the metadata a run restores, which may lie elsewhere), and temp files a crash left
   * there: changes files of aborted checkpoints whose chain broke, and bases materialised after a
   * job's last checkpoint. For the start of a run, before it takes checkpoints: a checkpoint being
   * written would reference files no complete one does yet. Deletes nothing when the metadata of a
   * checkpoint of the job cannot be read. Resolves to the deleted paths, sorted.
   */
  async removeUnreferencedSharedFiles(alsoKeep?: CheckpointMetadata): Promise<string[]> {
    const files = (await this.medium.list(this.paths.sharedDir)).filter((e) => e.kind === "file");
    if (files.length === 0) return [];
    const referenced = await Promise.all((await this.checkpointDirs()).map((d) => this.sharedReferences(d.checkpointId)));
    if (referenced.some((r) => r === undefined)) return [];
    const kept = new Set((referenced as Set<string>[]).flatMap((r) => [...r]));
    for (const handle of alsoKeep === undefined ? [] : allHandles(alsoKeep)) kept.add(handle.path);
    const doomed = unreferencedSharedFiles(files.map((e) => join(this.paths.sharedDir, e.name)), kept);
    for (const path of doomed) await this.medium.remove(path);
    return doomed;
  }

  async retain(newest: number): Promise<CheckpointId[]> {
    const plan = planRetention(await this.list(), newest);
    await this.carryOut(plan);
    return [...plan.discard];
  }

  async cleanupOnCancel(policy: CancelPolicy): Promise<void> {
    switch (policy) {
      case "delete":
        await this.medium.remove(this.jobDir);
        return;
      case "retain":
        await this.carryOut(planRetainOnCancel(await this.list()));
        return;
      default:
        throw invalidArgument(`a cancel policy is "delete" or "retain", got ${JSON.stringify(policy)}`);
    }
  }

  private async carryOut(plan: RetentionPlan): Promise<void> {
    for (const id of plan.discard) await this.discard(id);
    for (const id of plan.keepComplete) {
      const dir = this.paths.checkpointDir(id);
      for (const entry of await this.medium.list(dir)) {
        if (entry.kind === "file" && isTempFileName(entry.name)) await this.medium.remove(join(dir, entry.name));
      }
    }
  }

  private async checkpointDirs(): Promise<{ checkpointId: CheckpointId; entry: VolumeEntry }[]> {
    const found: { checkpointId: CheckpointId; entry: VolumeEntry }[] = [];
    for (const entry of await this.medium.list(this.jobDir)) {
      const id = entry.kind === "directory" ? parseCheckpointDirName(entry.name) : undefined;
      if (id !== undefined) found.push({ checkpointId: id, entry });
    }
    return found;
  }

  private async describe(checkpointId: CheckpointId, dirEntry: VolumeEntry): Promise<CheckpointListing> {
    const path = this.paths.checkpointDir(checkpointId);
    const entries = await this.medium.list(path);
    const sizeBytes = entries.reduce((sum, e) => sum + (e.kind === "file" ? e.size : 0), 0);
    const base = { checkpointId, sizeBytes, sharedBytes: 0, inFlightBytes: 0, path, time: dirEntry.modifiedAt };
    const bytes = hasMetadataFile(entries) ? await this.medium.read(metadataFileIn(path)) : undefined;
    if (bytes === undefined) return { ...base, status: "incomplete" };
    try {
      const metadata = withStatePaths(decodeMetadata(bytes, metadataFileIn(path), checkpointId), path, resolveStateFileReference);
      const shared = new Map(allHandles(metadata).filter((h) => this.paths.isSharedStateFile(h.path)).map((h) => [h.path, h.bytes]));
      const sharedBytes = [...shared.values()].reduce((sum, n) => sum + n, 0);
      return { ...base, sharedBytes, inFlightBytes: inFlightBytesOf(metadata), status: "complete", time: metadata.completedAt };
    } catch (error) {
      if (error instanceof CheckpointCorruptError) return { ...base, status: "corrupt", problem: error.message };
      throw error;
    }
  }

  private async pointerFacts(path: string): Promise<PointerFacts> {
    const found = await this.medium.stat(path);
    if (found === undefined) return { kind: "missing" };
    if (found.kind === "file") return { kind: "file" };
    const entries = await this.medium.list(path);
    const checkpoints = await Promise.all(
      entries.flatMap((entry) => {
        const id = entry.kind === "directory" ? parseCheckpointDirName(entry.name) : undefined;
        if (id === undefined) return [];
        return [this.medium.list(join(path, entry.name)).then((inside) => ({ checkpointId: id, hasMetadata: hasMetadataFile(inside) }))];
      }),
    );
    return { kind: "directory", hasMetadata: hasMetadataFile(entries), checkpoints };
  }

  private async readMetadataFile(path: string, expectedId: CheckpointId | undefined): Promise<CheckpointMetadata> {
    const bytes = await this.medium.read(path);
    if (bytes === undefined) {
      const dir = dirname(path);
      throw new CheckpointIncompleteError(dir, expectedId, `${expectedId === undefined ? "the checkpoint" : `checkpoint ${expectedId}`} at ${dir} is incomplete: it has no _metadata file, so it never completed`);
    }
    return withStatePaths(decodeMetadata(bytes, path, expectedId), dirname(path), resolveStateFileReference);
  }

  /** Every state file the metadata references exists with its recorded length. */
  private async checkStateFiles(metadata: CheckpointMetadata): Promise<void> {
    const handles = fileHandles(metadata);
    const sizes = await Promise.all(handles.map((h) => this.medium.stat(h.path)));
    handles.forEach((handle, i) => {
      const found = sizes[i];
      checkStateFilePresent(handle, found?.kind === "file" ? found.size : undefined);
    });
  }
}
