/**
 * The storage layout of checkpoints. Every path or key a checkpoint storage touches is formatted
 * (and every name it finds is parsed) here and nowhere else:
 *
 *   <root>/<jobId>/chk-<n>/_metadata                         the checkpoint is complete iff this is valid
 *   <root>/<jobId>/chk-<n>/<operator>-<subtask>-<unique>.state   files owned by checkpoint n
 *   <root>/<jobId>/shared/<operator>-<subtask>-<unique>.state    files reused by incremental checkpoints
 *   <root>/<jobId>/taskowned/<operator>-<subtask>-<unique>.state files whose lifetime the tasks manage
 *   <root>/<jobId>/_stop-savepoint                          where a stop-with-savepoint put the job's newest state
 *   <dir>/.<name>.<unique>.tmp                                 a file being written, renamed to <name> when durable
 *   <dir>/savepoint-<jobId prefix>-<random>/_metadata          a savepoint
 *   <dir>/savepoint-<jobId prefix>-<random>/<name>.state       its state files, all inside it
 *
 * In `_metadata`, a state file is named relative to the checkpoint's directory (`<name>.state`, or
 * `../shared/<name>.state`), so a checkpoint directory copied or moved elsewhere, with its job
 * directory's `shared/` beside it, still names its files; `stateFileReference` and
 * `resolveStateFileReference` convert, and absolute names (written by older versions) stay as they are.
 *
 * Invariants: a job id is one safe path component; `<operator>` is an injective, filesystem-safe
 * encoding of the operator id (see `encodeNameComponent`); a temp name always starts with "." and
 * ends with ".tmp", and no other name this module makes does both.
 */
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { invalidArgument } from "../../core/errors.ts";
import { checksumOf } from "./checksum.ts";
import { checkpointId as toCheckpointId, type CheckpointId } from "./checkpoint-id.ts";

/** Where `weir run` keeps checkpoints unless told otherwise, relative to the working directory. */
export const DEFAULT_CHECKPOINT_ROOT = "./.weir/checkpoints";
export const METADATA_FILE_NAME = "_metadata";
export const SHARED_DIR_NAME = "shared";
export const TASK_OWNED_DIR_NAME = "taskowned";
export const STATE_FILE_SUFFIX = ".state";
export const STOP_SAVEPOINT_RECORD_NAME = "_stop-savepoint";

const CHECKPOINT_DIR_PATTERN = /^chk-([1-9][0-9]*)$/;
const JOB_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const UNIQUE_PATTERN = /^[A-Za-z0-9-]{1,64}$/;
const TEMP_FILE_PATTERN = /^\..+\.[A-Za-z0-9-]{1,64}\.tmp$/;
const LITERAL_BYTE = /^[A-Za-z0-9_]$/;
const MAX_COMPONENT_LENGTH = 64;
const HASHED_PREFIX_LENGTH = 47;
const SAVEPOINT_JOB_PREFIX_LENGTH = 6;

/** Whose state a file holds; `operatorId` may be any string, `subtask` is a zero-based index. */
export interface StateFileOwner {
  readonly operatorId: string;
  readonly subtask: number;
}

/** True for ids usable as one directory name: 1–128 of `A-Z a-z 0-9 _ . -`, not starting with "." or "-". */
export function isValidJobId(jobId: string): boolean {
  return JOB_ID_PATTERN.test(jobId);
}

function checkJobId(jobId: string): void {
  if (!isValidJobId(jobId)) {
    throw invalidArgument(`job id '${jobId}' is not a safe directory name (1-128 of A-Z a-z 0-9 _ . -, not starting with '.' or '-')`);
  }
}

function checkUnique(unique: string): void {
  if (!UNIQUE_PATTERN.test(unique)) throw invalidArgument(`a file-name suffix is 1-64 of A-Z a-z 0-9 -, got '${unique}'`);
}

/**
 * Any string as a filesystem-safe name component: bytes of its UTF-8 form in `A-Z a-z 0-9 _` stay,
 * every other byte becomes `%XX`, the empty string becomes `~`. Components longer than 64
 * characters keep their first 47 and end in `~` and 16 hex digits of the string's SHA-256. The
 * result never contains "/", "\\", "." or "-", is never empty, and distinct strings give distinct
 * components (up to a collision of the hash, for long ones).
 */
export function encodeNameComponent(text: string): string {
  if (text === "") return "~";
  let encoded = "";
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    encoded += LITERAL_BYTE.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (encoded.length <= MAX_COMPONENT_LENGTH) return encoded;
  let cut = HASHED_PREFIX_LENGTH;
  const escape = encoded.lastIndexOf("%", cut - 1);
  if (escape >= 0 && escape > cut - 3) cut = escape;
  return `${encoded.slice(0, cut)}~${checksumOf(text).slice(0, 16)}`;
}

/** `chk-<n>`, with n in plain decimal. */
export function checkpointDirName(id: CheckpointId): string {
  return `chk-${toCheckpointId(id)}`;
}

/**
 * The checkpoint id a directory name stands for, or undefined when the name is not exactly
 * `chk-<n>` with n a positive safe integer in plain decimal: `chk-007`, `chk-0`, `chk-x`, `chk-5.tmp`
 * and `CHK-5` are not checkpoint directories, and storages ignore them.
 */
export function parseCheckpointDirName(name: string): CheckpointId | undefined {
  const match = CHECKPOINT_DIR_PATTERN.exec(name);
  if (match === null) return undefined;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) ? toCheckpointId(n) : undefined;
}

/** The `_metadata` file of a checkpoint or savepoint directory. */
export function metadataFileIn(dir: string): string {
  return join(dir, METADATA_FILE_NAME);
}

export function isMetadataFileName(name: string): boolean {
  return name === METADATA_FILE_NAME;
}

/** `<owner>-<subtask>-<unique>.state`; `unique` (1-64 of A-Z a-z 0-9 -) keeps two writers apart. */
export function stateFileName(owner: StateFileOwner, unique: string): string {
  if (!Number.isSafeInteger(owner.subtask) || owner.subtask < 0) {
    throw invalidArgument(`a subtask index is a non-negative integer, got ${String(owner.subtask)}`);
  }
  checkUnique(unique);
  return `${encodeNameComponent(owner.operatorId)}-${owner.subtask}-${unique}${STATE_FILE_SUFFIX}`;
}

/**
 * How `_metadata` in `checkpointDir` names the state file at `path`: relative to the directory, with
 * "/" separators. A path that is already relative is returned as it is.
 */
export function stateFileReference(checkpointDir: string, path: string): string {
  if (!isAbsolute(path)) return path;
  return relative(checkpointDir, path).split(sep).join("/");
}

/** The path of the state file that `_metadata` in `checkpointDir` names `reference`; absolute references stay as they are. */
export function resolveStateFileReference(checkpointDir: string, reference: string): string {
  return isAbsolute(reference) ? reference : resolve(checkpointDir, reference);
}

/** The name under which `path` is written before it is renamed to `path`: `.<name>.<unique>.tmp` beside it. */
export function tempFileFor(path: string, unique: string): string {
  checkUnique(unique);
  return join(dirname(path), `.${basename(path)}.${unique}.tmp`);
}

/** The path a temp file made by `tempFileFor` is written for; undefined when `path` is no such temp file. */
export function targetOfTempFile(path: string): string | undefined {
  const name = basename(path);
  if (!isTempFileName(name)) return undefined;
  return join(dirname(path), name.slice(1, name.lastIndexOf(".", name.length - 5)));
}

/** True for names made by `tempFileFor`: files a crash left half-written, never part of a checkpoint. */
export function isTempFileName(name: string): boolean {
  return TEMP_FILE_PATTERN.test(name);
}

/**
 * `<targetDir>/savepoint-<first 6 characters of the job id>-<unique>`, as Flink names them; `unique`
 * (1-64 of A-Z a-z 0-9 -) keeps two savepoints of one job apart.
 */
export function savepointDir(targetDir: string, jobId: string, unique: string): string {
  checkJobId(jobId);
  checkUnique(unique);
  return join(targetDir, `savepoint-${jobId.slice(0, SAVEPOINT_JOB_PREFIX_LENGTH)}-${unique}`);
}

/** The paths of one job's checkpoints under one root. */
export class CheckpointPaths {
  readonly root: string;
  readonly jobId: string;
  /** `<root>/<jobId>`: everything of this job lives below it. */
  readonly jobDir: string;
  /** `<root>/<jobId>/shared`: files that several checkpoints reference. */
  readonly sharedDir: string;
  /** `<root>/<jobId>/taskowned`: files the tasks own and delete themselves. */
  readonly taskOwnedDir: string;

  constructor(root: string, jobId: string) {
    checkJobId(jobId);
    this.root = root;
    this.jobId = jobId;
    this.jobDir = join(root, jobId);
    this.sharedDir = join(this.jobDir, SHARED_DIR_NAME);
    this.taskOwnedDir = join(this.jobDir, TASK_OWNED_DIR_NAME);
  }

  checkpointDir(id: CheckpointId): string {
    return join(this.jobDir, checkpointDirName(id));
  }

  /** `<root>/<jobId>/_stop-savepoint`: the savepoint a stop committed, newer than every checkpoint before it. */
  stopSavepointRecord(): string {
    return join(this.jobDir, STOP_SAVEPOINT_RECORD_NAME);
  }

  metadataFile(id: CheckpointId): string {
    return metadataFileIn(this.checkpointDir(id));
  }

  /** A file owned by checkpoint `id`: deleted with its directory. */
  stateFile(id: CheckpointId, owner: StateFileOwner, unique: string): string {
    return join(this.checkpointDir(id), stateFileName(owner, unique));
  }

  sharedStateFile(owner: StateFileOwner, unique: string): string {
    return join(this.sharedDir, stateFileName(owner, unique));
  }

  /** Whether `path` (absolute) is a file of this job's `shared/` directory. */
  isSharedStateFile(path: string): boolean {
    return dirname(path) === this.sharedDir;
  }

  taskOwnedStateFile(owner: StateFileOwner, unique: string): string {
    return join(this.taskOwnedDir, stateFileName(owner, unique));
  }
}
