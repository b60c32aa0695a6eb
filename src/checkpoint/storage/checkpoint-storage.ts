/**
 * Where one job's checkpoints are kept, and the only way the runtime reads, writes, lists and
 * deletes them. Implementations: FileCheckpointStorage (disk) and MemoryCheckpointStorage (an
 * in-memory fake for tests); test/checkpoint/storage/checkpoint-storage-conformance.ts checks the
 * guarantees below against both.
 *
 * Guarantees:
 * - A checkpoint is COMPLETE iff its `_metadata` exists and decodes (envelope, format version,
 *   checksum, structure, its own id). `writeMetadata` is the completion step: it is atomic and
 *   durable, so after any crash `_metadata` is either absent or whole. A complete checkpoint is
 *   never replaced.
 * - A state handle, once `writeState` resolved, names durable bytes that `readState` returns
 *   exactly, or fails with a typed error naming the file: gone (WEIR_ERR_CHECKPOINT_STATE_MISSING)
 *   or of another length or checksum (WEIR_ERR_CHECKPOINT_CORRUPT). Two writes never share a file.
 * - Files of checkpoint n live in its directory and go with it; a file under `shared/` is deleted
 *   by `discard` or `retain` only once no complete checkpoint references it (see `discard`);
 *   files under `taskowned/` are never deleted by them, nor by the "retain" cancel policy.
 * - Names that are not `chk-<n>` (see `parseCheckpointDirName`) and temp files a crash left behind
 *   are never taken for checkpoints or for their files; `retain` and `cleanupOnCancel` delete such
 *   temp files inside the checkpoints they keep.
 * - Methods may run concurrently for different checkpoints, and `writeState` concurrently for one.
 *   `retain` never touches checkpoints newer than the newest complete one, so it may run while those
 *   are being written; an unfinished checkpoint older than the newest complete one is subsumed (the
 *   coordinator has aborted it) and is deleted.
 * - A failure of the medium (permissions, disk full) is WEIR_ERR_CHECKPOINT_IO naming the path.
 */
import type { CheckpointId } from "./checkpoint-id.ts";
import type { CheckpointMetadata, StateHandle } from "./checkpoint-metadata.ts";
import type { StateFileOwner } from "./checkpoint-paths.ts";

/**
 * - `complete`: `_metadata` is present and valid;
 * - `incomplete`: no `_metadata`: being written, or abandoned by a failure;
 * - `corrupt`: `_metadata` is present but cannot be used (see `problem`).
 */
export type CheckpointStatus = "complete" | "incomplete" | "corrupt";

/** One `chk-<n>` directory as `list` found it. */
export interface CheckpointListing {
  readonly checkpointId: CheckpointId;
  readonly status: CheckpointStatus;
  /** `completedAt` of a complete checkpoint; the directory's last modification otherwise (ms since the epoch). */
  readonly time: number;
  /** Bytes of the files directly in the directory, `_metadata` included: the checkpoint's own bytes. */
  readonly sizeBytes: number;
  /** For a complete checkpoint: bytes of the files under `shared/` it references (written by it or earlier ones); 0 otherwise. */
  readonly sharedBytes: number;
  /** For a complete checkpoint: bytes of the records in flight it stored (an unaligned checkpoint's channel state); 0 otherwise. */
  readonly inFlightBytes: number;
  /** The `chk-<n>` directory. */
  readonly path: string;
  /** For `corrupt`: what is wrong, as the error reading it would say. */
  readonly problem?: string;
}

/** What `--from` accepts: "latest", a `chk-<n>` or savepoint directory, a `_metadata` file, or a job directory. */
export type CheckpointPointer = "latest" | (string & {});

/**
 * What happens to a job's checkpoints when it is cancelled:
 * - `delete`: the job's whole directory goes, shared and task-owned files included;
 * - `retain`: complete (and corrupt) checkpoints stay, so the job can be resumed from them;
 *   incomplete ones and temp files are deleted.
 */
export type CancelPolicy = "delete" | "retain";

export interface ResolvedCheckpoint {
  /** The `_metadata` file the checkpoint was read from. */
  readonly path: string;
  readonly metadata: CheckpointMetadata;
}

export interface WriteSavepointOptions {
  /**
   * The savepoint commits the job's output (a stop-with-savepoint): it is recorded in the job's
   * directory (see `StopSavepointRecord`), durably, before this resolves, so that resuming the job's
   * newest state finds it rather than an older checkpoint whose output after it is committed.
   */
  readonly recordAsNewest?: boolean;
}

/** Where a stop-with-savepoint of a job put its savepoint: `<root>/<jobId>/_stop-savepoint`. */
export interface StopSavepointRecord {
  readonly checkpointId: CheckpointId;
  /** The savepoint directory, as written; the savepoint may have been moved since. */
  readonly location: string;
  readonly completedAt: number;
}

/**
 * Called with the handle of a state file as its write starts, to write the same bytes elsewhere at
 * the same time (a task-local copy, see checkpoint/local/); `writeState` resolves when both ended.
 * It must not reject.
 */
export type WriteAlongside = (handle: StateHandle) => Promise<void>;

export interface CheckpointStorage {
  readonly jobId: string;
  /** The directory (or key prefix) of this job's checkpoints: `<root>/<jobId>`. */
  readonly jobDir: string;

  /**
   * Writes one state file of checkpoint `checkpointId` for `owner`, durably (temp name, sync,
   * rename, sync of the directory) before resolving. The file name is made from the owner and a
   * fresh unique suffix, whatever characters the operator id holds.
   */
  writeState(checkpointId: CheckpointId, owner: StateFileOwner, bytes: Uint8Array, alongside?: WriteAlongside): Promise<StateHandle>;

  /**
   * Writes a state file that later checkpoints may reference too (a base or changes of an
   * incremental chain) under `shared/`, durably, as `writeState` does. It belongs to no checkpoint:
   * it goes when a discarded checkpoint referenced it and no other complete checkpoint does (see `discard`).
   * `checksum`, when given, is the bytes' checksum (`checksumOf`), which the caller computed already.
   */
  writeSharedState(owner: StateFileOwner, bytes: Uint8Array, checksum?: string): Promise<StateHandle>;

  /** The bytes behind `handle`, after checking their length and checksum against it. */
  readState(handle: StateHandle): Promise<Uint8Array>;

  /**
   * Completes checkpoint `metadata.checkpointId`: checks the metadata (a bad field or another job's
   * id is WEIR_ERR_INVALID_ARGUMENT naming it), checks that every referenced state file exists with
   * its recorded length, then writes `_metadata` atomically and durably. Metadata already present
   * is WEIR_ERR_CHECKPOINT_EXISTS. Resolves to the path of `_metadata`.
   */
  writeMetadata(metadata: CheckpointMetadata): Promise<string>;

  /**
   * Completes checkpoint `metadata.checkpointId` as a savepoint: a new directory
   * `savepoint-<job id prefix>-<random>` under `targetDir` (see `savepointDir`) receives a copy of
   * every state file, checked against its handle, then `_metadata` naming them relative to it,
   * written atomically and durably last (the savepoint is complete iff `_metadata` is there). The
   * savepoint is self-contained and can be moved as a whole; the checkpoint's own directory is
   * deleted afterwards. Resolves to the savepoint directory. Nothing of this storage deletes a
   * savepoint later.
   */
  writeSavepoint(metadata: CheckpointMetadata, targetDir: string, options?: WriteSavepointOptions): Promise<string>;

  /**
   * The metadata of checkpoint `checkpointId`: WEIR_ERR_CHECKPOINT_NOT_FOUND without its directory,
   * WEIR_ERR_CHECKPOINT_INCOMPLETE without `_metadata`, WEIR_ERR_CHECKPOINT_CORRUPT for bad `_metadata`.
   */
  readMetadata(checkpointId: CheckpointId): Promise<CheckpointMetadata>;

  /**
   * The metadata of the newest checkpoint that has `_metadata`, skipping incomplete ones; undefined
   * when there is none. If that `_metadata` is corrupt this throws rather than fall back to an older
   * checkpoint: restoring to before a completed checkpoint would repeat output it committed.
   */
  latest(): Promise<CheckpointMetadata | undefined>;

  /** Every `chk-<n>` directory of the job, by ascending id. State files are not opened. */
  list(): Promise<CheckpointListing[]>;

  /**
   * The checkpoint a `--from` pointer names, with every referenced state file checked to exist with
   * its recorded length (checksums are checked by `readState`):
   * - "latest": the newest checkpoint of this job with `_metadata`, as `latest()`;
   * - a `_metadata` file, or a directory holding one (a `chk-<n>` or savepoint directory);
   * - a directory holding `chk-<n>` directories (a job directory): the newest with `_metadata`.
   * Paths may belong to other jobs. Errors: nothing there, or no `chk-<n>` under it:
   * WEIR_ERR_CHECKPOINT_NOT_FOUND; a `chk-<n>` without `_metadata`, or only such under a job
   * directory: WEIR_ERR_CHECKPOINT_INCOMPLETE; bad `_metadata`: WEIR_ERR_CHECKPOINT_CORRUPT; a
   * referenced state file gone: WEIR_ERR_CHECKPOINT_STATE_MISSING (of another length: CORRUPT).
   */
  resolve(pointer: CheckpointPointer): Promise<ResolvedCheckpoint>;

  /**
   * Deletes the directory of checkpoint `checkpointId` with all its files; nothing there is fine.
   * Shared files it referenced go too when no other complete checkpoint of the job references
   * them (reference counting over the checkpoints' `_metadata`): a checkpoint being written
   * references only files that the newest complete one does, or files no complete one references
   * yet, so neither kind is deleted under it. Savepoints hold copies and reference no shared file.
   */
  discard(checkpointId: CheckpointId): Promise<void>;

  /**
   * Keeps the newest `newest` (at least 1) complete checkpoints and deletes the older complete ones,
   * plus every incomplete or corrupt checkpoint older than the newest complete one. The newest
   * complete checkpoint always stays, and so does everything newer than it. Shared files go as
   * `discard` says. Resolves to the discarded ids, ascending.
   */
  retain(newest: number): Promise<CheckpointId[]>;

  /** Applies the job's cancel policy to its checkpoints; see `CancelPolicy`. */
  cleanupOnCancel(policy: CancelPolicy): Promise<void>;
}
