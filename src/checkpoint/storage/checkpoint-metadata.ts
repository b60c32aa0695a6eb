/**
 * What a complete checkpoint records: for every operator subtask, the handles of the state files it
 * wrote. The handles are opaque here: whoever writes state decides what its bytes mean. The
 * structure is plain JSON, versioned by `formatVersion`; `checkMetadata` is the one structural
 * check, used on write (a bad field is the caller's bug) and on read (a bad field is corruption).
 */
import { UPPER_BOUND_MAX_PARALLELISM, type KeyGroupRange } from "../../core/key-groups.ts";
import { CHECKSUM_PATTERN } from "./checksum.ts";
import { isCheckpointId, type CheckpointId } from "./checkpoint-id.ts";
import { isValidJobId } from "./checkpoint-paths.ts";

export const CHECKPOINT_FORMAT_VERSION = 1;

/** The metadata property that holds the bytes of records in flight an unaligned checkpoint stored; absent for none. */
export const IN_FLIGHT_BYTES_PROPERTY = "inFlightBytes";

/** The bytes of records in flight the checkpoint stored (`IN_FLIGHT_BYTES_PROPERTY`): 0 for an aligned one, or one that does not say. */
export function inFlightBytesOf(metadata: CheckpointMetadata): number {
  const value = metadata.properties?.[IN_FLIGHT_BYTES_PROPERTY];
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** One written state file. Immutable once written: `bytes` and `checksum` describe its whole content. */
export interface StateHandle {
  /**
   * Where the bytes are. In memory: the absolute path (or in-memory key) of the file. In a
   * `_metadata` file: relative to the checkpoint's directory (see `stateFileReference`); older
   * metadata holds absolute paths, which are read as they are.
   */
  readonly path: string;
  /** The file's length. */
  readonly bytes: number;
  /** SHA-256 of the content, 64 lowercase hex digits. */
  readonly checksum: string;
  /**
   * The content itself, base64-encoded, for state smaller than the storage's memory threshold
   * (Flink's `state.storage.fs.memory-threshold`, its ByteStreamStateHandle): such state is sent
   * with the task's acknowledgement and kept inside `_metadata`, and no file is written at `path`,
   * which then only names it. Absent for state in a file.
   */
  readonly inline?: string;
}

/** A handle whose content is inside the checkpoint's metadata (see `StateHandle.inline`). */
export type InlineStateHandle = StateHandle & { readonly inline: string };

export function isInlineState(handle: StateHandle): handle is InlineStateHandle {
  return handle.inline !== undefined;
}

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The length of the bytes `text` encodes in base64, or undefined when it is not canonical base64. */
function base64Length(text: string): number | undefined {
  if (!BASE64_PATTERN.test(text)) return undefined;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

export interface SubtaskStateMetadata {
  /** Zero-based, below the operator's parallelism; at most one entry per subtask. */
  readonly subtask: number;
  /** The files this subtask wrote for the checkpoint (possibly none), in the order it wants them back. */
  readonly state: readonly StateHandle[];
  /** The key groups the state covers, for keyed operators: inclusive, within [0, maxParallelism). */
  readonly keyGroupRange?: KeyGroupRange;
}

export interface OperatorStateMetadata {
  /** Unique within a checkpoint: the operator's uid, or the id the job graph derives for it. */
  readonly operatorId: string;
  readonly parallelism: number;
  /** Number of key groups; at least `parallelism`. */
  readonly maxParallelism: number;
  readonly subtasks: readonly SubtaskStateMetadata[];
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface CheckpointMetadata {
  readonly formatVersion: typeof CHECKPOINT_FORMAT_VERSION;
  readonly jobId: string;
  readonly checkpointId: CheckpointId;
  /** Milliseconds since the epoch; `triggeredAt <= completedAt`. */
  readonly triggeredAt: number;
  readonly completedAt: number;
  /**
   * The structure of the job graph that wrote the checkpoint: `--from latest` looks for checkpoints
   * of the same structure; a named checkpoint restores into another one as restore-plan.ts decides.
   */
  readonly jobFingerprint: string;
  readonly operators: readonly OperatorStateMetadata[];
  /** Anything else the writer wants to keep with the checkpoint; JSON values only. */
  readonly properties?: { readonly [key: string]: JsonValue };
}

/** The outcome of `checkMetadata`: the value as metadata, or the first field that is wrong and how. */
export type MetadataCheck =
  | { readonly ok: true; readonly metadata: CheckpointMetadata }
  | { readonly ok: false; readonly field: string; readonly problem: string };

class FieldProblem {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {}
}

type Fields = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

function object(value: unknown, field: string, known: readonly string[]): Fields {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new FieldProblem(field, `expected an object, found ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new FieldProblem(field === "" ? key : `${field}.${key}`, "is not a field of checkpoint metadata");
  }
  return value as Fields;
}

function array(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new FieldProblem(field, `expected an array, found ${describe(value)}`);
  return value;
}

function string(value: unknown, field: string, nonEmpty: boolean): string {
  if (typeof value !== "string" || (nonEmpty && value === "")) {
    throw new FieldProblem(field, `expected a ${nonEmpty ? "non-empty " : ""}string, found ${describe(value)}`);
  }
  return value;
}

function integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new FieldProblem(field, `expected an integer from ${min} to ${max}, found ${describe(value)}`);
  }
  return value;
}

function timestamp(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new FieldProblem(field, `expected milliseconds since the epoch, found ${describe(value)}`);
  }
  return value;
}

function jsonValue(value: unknown, field: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new FieldProblem(field, `expected a JSON value, found ${describe(value)}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => jsonValue(item, `${field}[${i}]`));
    return;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) jsonValue(item, `${field}.${key}`);
    return;
  }
  throw new FieldProblem(field, `expected a JSON value, found ${describe(value)}`);
}

function stateHandle(value: unknown, field: string): void {
  const fields = object(value, field, ["path", "bytes", "checksum", "inline"]);
  string(fields.path, `${field}.path`, true);
  const bytes = integer(fields.bytes, `${field}.bytes`, 0);
  if (typeof fields.checksum !== "string" || !CHECKSUM_PATTERN.test(fields.checksum)) {
    throw new FieldProblem(`${field}.checksum`, `expected 64 lowercase hex digits, found ${describe(fields.checksum)}`);
  }
  if (fields.inline !== undefined) {
    const length = typeof fields.inline === "string" ? base64Length(fields.inline) : undefined;
    if (length === undefined) throw new FieldProblem(`${field}.inline`, `expected the state's bytes in base64, found ${describe(fields.inline)}`);
    if (length !== bytes) throw new FieldProblem(`${field}.inline`, `holds ${length} bytes, but the handle records ${bytes}`);
  }
}

function subtaskState(value: unknown, field: string, parallelism: number, maxParallelism: number): number {
  const fields = object(value, field, ["subtask", "state", "keyGroupRange"]);
  const subtask = integer(fields.subtask, `${field}.subtask`, 0, parallelism - 1);
  array(fields.state, `${field}.state`).forEach((handle, i) => stateHandle(handle, `${field}.state[${i}]`));
  if (fields.keyGroupRange !== undefined) {
    const rangeField = `${field}.keyGroupRange`;
    const range = object(fields.keyGroupRange, rangeField, ["start", "end"]);
    const start = integer(range.start, `${rangeField}.start`, 0, maxParallelism - 1);
    integer(range.end, `${rangeField}.end`, start, maxParallelism - 1);
  }
  return subtask;
}

function operatorState(value: unknown, field: string): string {
  const fields = object(value, field, ["operatorId", "parallelism", "maxParallelism", "subtasks"]);
  const operatorId = string(fields.operatorId, `${field}.operatorId`, true);
  const maxParallelism = integer(fields.maxParallelism, `${field}.maxParallelism`, 1, UPPER_BOUND_MAX_PARALLELISM);
  const parallelism = integer(fields.parallelism, `${field}.parallelism`, 1, maxParallelism);
  const seen = new Set<number>();
  array(fields.subtasks, `${field}.subtasks`).forEach((item, i) => {
    const subtask = subtaskState(item, `${field}.subtasks[${i}]`, parallelism, maxParallelism);
    if (seen.has(subtask)) throw new FieldProblem(`${field}.subtasks[${i}].subtask`, `subtask ${subtask} appears twice`);
    seen.add(subtask);
  });
  return operatorId;
}

function checkFields(value: unknown): void {
  const fields = object(value, "", [
    "formatVersion",
    "jobId",
    "checkpointId",
    "triggeredAt",
    "completedAt",
    "jobFingerprint",
    "operators",
    "properties",
  ]);
  if (fields.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new FieldProblem("formatVersion", `expected ${CHECKPOINT_FORMAT_VERSION}, found ${describe(fields.formatVersion)}`);
  }
  const jobId = string(fields.jobId, "jobId", true);
  if (!isValidJobId(jobId)) throw new FieldProblem("jobId", `${describe(jobId)} is not a valid job id`);
  if (!isCheckpointId(fields.checkpointId)) {
    throw new FieldProblem("checkpointId", `expected a positive integer, found ${describe(fields.checkpointId)}`);
  }
  const triggeredAt = timestamp(fields.triggeredAt, "triggeredAt");
  const completedAt = timestamp(fields.completedAt, "completedAt");
  if (completedAt < triggeredAt) throw new FieldProblem("completedAt", `${completedAt} is before triggeredAt ${triggeredAt}`);
  string(fields.jobFingerprint, "jobFingerprint", true);
  const operatorIds = new Set<string>();
  array(fields.operators, "operators").forEach((item, i) => {
    const operatorId = operatorState(item, `operators[${i}]`);
    if (operatorIds.has(operatorId)) throw new FieldProblem(`operators[${i}].operatorId`, `operator ${describe(operatorId)} appears twice`);
    operatorIds.add(operatorId);
  });
  if (fields.properties !== undefined) {
    const properties = fields.properties;
    if (properties === null || typeof properties !== "object" || Array.isArray(properties)) {
      throw new FieldProblem("properties", `expected an object, found ${describe(properties)}`);
    }
    jsonValue(properties, "properties");
  }
}

/**
 * Checks that `value` has exactly the structure of `CheckpointMetadata` of format version 1: every
 * field present with the right type and range, no unknown fields, operator ids unique, subtasks
 * unique and below parallelism, key-group ranges inside max parallelism. Fields set to `undefined`
 * count as absent. Field names in the answer are paths such as `operators[1].subtasks[0].state[2].bytes`.
 */
export function checkMetadata(value: unknown): MetadataCheck {
  try {
    checkFields(value);
    return { ok: true, metadata: value as CheckpointMetadata };
  } catch (error) {
    if (error instanceof FieldProblem) return { ok: false, field: error.field === "" ? "(top level)" : error.field, problem: error.problem };
    throw error;
  }
}
