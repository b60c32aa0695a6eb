/**
 * The errors a checkpoint storage raises on purpose. Each names the file or directory it is about
 * in `path` and in its message, and says what is wrong; codes are in src/core/errors.ts.
 */
import { WeirError, type ErrorCode } from "../../core/errors.ts";
import type { CheckpointId } from "./checkpoint-id.ts";

export class CheckpointStorageError extends WeirError {
  /** The file or directory the error is about. */
  readonly path: string;
  constructor(code: ErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}

/** Nothing at the path, no `chk-<n>` directory under it, or no checkpoint with that id. */
export class CheckpointNotFoundError extends CheckpointStorageError {
  constructor(path: string, message: string) {
    super("WEIR_ERR_CHECKPOINT_NOT_FOUND", path, message);
  }
}

/** A checkpoint directory without `_metadata`: the checkpoint never completed. */
export class CheckpointIncompleteError extends CheckpointStorageError {
  readonly checkpointId: CheckpointId | undefined;
  constructor(path: string, checkpointId: CheckpointId | undefined, message: string) {
    super("WEIR_ERR_CHECKPOINT_INCOMPLETE", path, message);
    this.checkpointId = checkpointId;
  }
}

/**
 * How a checkpoint file is damaged:
 * - `unparseable`: metadata that is empty, truncated or not UTF-8 JSON;
 * - `not-metadata`: JSON, but not a Weir metadata envelope;
 * - `format-version`: metadata without a format version (one that is a number but not this
 *   Weir's is IncompatibleFormatVersionError instead);
 * - `checksum`: content that does not match its recorded checksum;
 * - `size`: a state file whose length differs from the length recorded for it;
 * - `invalid-field`: metadata with a missing, mistyped or out-of-range field (see `field`);
 * - `wrong-checkpoint`: metadata of another checkpoint than the directory it lies in.
 */
export type CorruptionReason = "unparseable" | "not-metadata" | "format-version" | "checksum" | "size" | "invalid-field" | "wrong-checkpoint";

export class CheckpointCorruptError extends CheckpointStorageError {
  readonly reason: CorruptionReason;
  /** For `invalid-field`: the path of the field, such as `operators[0].subtasks[1].state[0].bytes`. */
  readonly field: string | undefined;
  constructor(path: string, reason: CorruptionReason, message: string, field?: string) {
    super("WEIR_ERR_CHECKPOINT_CORRUPT", path, message);
    this.reason = reason;
    this.field = field;
  }
}

/** Metadata of another format version than the one this Weir reads: not damaged, but not readable here. */
export class IncompatibleFormatVersionError extends CheckpointStorageError {
  readonly formatVersion: number;
  constructor(path: string, formatVersion: number, message: string) {
    super("WEIR_ERR_INCOMPATIBLE_FORMAT_VERSION", path, message);
    this.formatVersion = formatVersion;
  }
}

/** A state file that metadata references is gone. */
export class StateFileMissingError extends CheckpointStorageError {
  constructor(path: string, message: string) {
    super("WEIR_ERR_CHECKPOINT_STATE_MISSING", path, message);
  }
}

/** Metadata was written for a checkpoint that already has metadata. */
export class CheckpointExistsError extends CheckpointStorageError {
  constructor(path: string, message: string) {
    super("WEIR_ERR_CHECKPOINT_EXISTS", path, message);
  }
}

/** The storage medium refused an operation (permissions, disk full, a file where a directory belongs). */
export class CheckpointIoError extends CheckpointStorageError {
  /** What was being done: "write", "read", "list", "delete", "sync". */
  readonly operation: string;
  /** The system error code, such as "EACCES" or "ENOSPC", when there is one. */
  readonly systemCode: string | undefined;
  constructor(path: string, operation: string, cause: unknown) {
    const systemCode = (cause as { code?: unknown } | null)?.code;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super("WEIR_ERR_CHECKPOINT_IO", path, `cannot ${operation} ${path}: ${reason}`, { cause });
    this.operation = operation;
    this.systemCode = typeof systemCode === "string" ? systemCode : undefined;
  }
}
