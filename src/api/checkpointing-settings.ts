/**
 * How a job takes checkpoints, as set with `env.enableCheckpointing(interval, options)` and
 * overridden from the command line. Checkpointing is off unless an interval is set.
 */
import { checkpointConfig, type CheckpointConfig } from "../checkpoint/coordinator/config.ts";
import { DEFAULT_CHECKPOINT_ROOT } from "../checkpoint/storage/checkpoint-paths.ts";
import { defaultLocalRecoveryRoot } from "../checkpoint/local/local-state-paths.ts";
import { invalidArgument } from "../core/errors.ts";
import type { CheckpointMode } from "../runtime/task-checkpointing.ts";

export interface CheckpointingOptions {
  /** "exactly-once" (default) aligns barriers; "at-least-once" does not, and may replay records. */
  readonly mode?: CheckpointMode;
  /** A checkpoint not complete this long after its trigger is aborted. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Least time between the end of one checkpoint and the start of the next. Default 0. */
  readonly minPauseMs?: number;
  /** Most checkpoints in progress at once. Default 1. */
  readonly maxConcurrent?: number;
  /** Failed checkpoints in a row tolerated before the job fails (and restarts). Default 0. */
  readonly tolerableFailures?: number;
  /** Completed checkpoints kept on disk. Default 1. */
  readonly retained?: number;
  /** What happens to checkpoints when the job is cancelled: "delete" (default) or "retain". */
  readonly onCancel?: "delete" | "retain";
  /** Where checkpoints are written: `<dir>/<jobId>/chk-<n>/`. Default ./.weir/checkpoints. */
  readonly dir?: string;
  /**
   * Local recovery (Flink's `state.backend.local-recovery`): each task also keeps a copy of the
   * state files it wrote for its last completed checkpoint on this machine, and a restart here
   * restores from the copies, reading the checkpoint storage only for a copy that is missing or
   * corrupt. Default false.
   */
  readonly localRecovery?: boolean;
  /** Where local copies go, as `<dir>/<jobId>/<operator>/<subtask>/`. Default `<temp dir>/weir-local-recovery`. */
  readonly localRecoveryDir?: string;
  /**
   * Exactly-once checkpoints whose barriers overtake the records in flight, which are stored with
   * the checkpoint (Flink's unaligned checkpoints): a checkpoint completes under back-pressure
   * without waiting for the queues to drain. Savepoints stay aligned. Default false.
   */
  readonly unaligned?: boolean;
  /**
   * With `unaligned`: a checkpoint starts aligned and switches to unaligned once this long has
   * passed since its trigger without alignment being over (Flink's `alignedCheckpointTimeout`).
   * Default 0: unaligned from the start.
   */
  readonly alignedCheckpointTimeoutMs?: number;
  /**
   * A task's state smaller than this many bytes is not written as a file of its own but sent with
   * the task's acknowledgement and kept inside the checkpoint's `_metadata` (Flink's
   * `state.storage.fs.memory-threshold`): a checkpoint of small state then costs one durable write
   * instead of one per task. 0 writes every state as a file. Default 20 KiB (20480).
   */
  readonly memoryThreshold?: number;
}

/** Flink's default for `state.storage.fs.memory-threshold`: 20 KiB. */
export const DEFAULT_MEMORY_THRESHOLD = 20 * 1024;

/** Most bytes a state may have to be kept inside `_metadata`: Flink's bound for `state.storage.fs.memory-threshold`, 1 MiB. */
export const MAX_MEMORY_THRESHOLD = 1024 * 1024;

export interface CheckpointingSettings {
  readonly config: CheckpointConfig;
  readonly mode: CheckpointMode;
  readonly onCancel: "delete" | "retain";
  readonly dir: string;
  /** The root of the tasks' local state copies; undefined without local recovery. */
  readonly localRecoveryDir?: string;
  readonly unaligned: boolean;
  readonly alignedCheckpointTimeoutMs: number;
  /** See `CheckpointingOptions.memoryThreshold`. */
  readonly memoryThreshold: number;
}

export function checkpointingSettings(intervalMs: number, options: CheckpointingOptions = {}): CheckpointingSettings {
  const { mode = "exactly-once", onCancel = "delete", dir = DEFAULT_CHECKPOINT_ROOT, localRecovery = false, localRecoveryDir, unaligned = false, alignedCheckpointTimeoutMs = 0, memoryThreshold = DEFAULT_MEMORY_THRESHOLD, ...rest } = options;
  if (mode !== "exactly-once" && mode !== "at-least-once") throw invalidArgument(`checkpoint mode must be "exactly-once" or "at-least-once", got '${String(mode)}'`);
  if (onCancel !== "delete" && onCancel !== "retain") throw invalidArgument(`checkpoint retention on cancel must be "delete" or "retain", got '${String(onCancel)}'`);
  if (typeof dir !== "string" || dir.length === 0) throw invalidArgument("checkpoint dir must be a non-empty path");
  if (typeof localRecovery !== "boolean") throw invalidArgument(`local recovery is true or false, got ${JSON.stringify(localRecovery)}`);
  if (localRecoveryDir !== undefined && (typeof localRecoveryDir !== "string" || localRecoveryDir.length === 0)) throw invalidArgument("the local recovery dir must be a non-empty path");
  if (typeof unaligned !== "boolean") throw invalidArgument(`unaligned must be true or false, got '${String(unaligned)}'`);
  if (unaligned && mode !== "exactly-once") throw invalidArgument("unaligned checkpoints need the exactly-once checkpoint mode: at-least-once never aligns");
  if (!(Number.isFinite(alignedCheckpointTimeoutMs) && alignedCheckpointTimeoutMs >= 0)) {
    throw invalidArgument(`aligned checkpoint timeout must be zero or more milliseconds, got ${String(alignedCheckpointTimeoutMs)}`);
  }
  if (!(Number.isSafeInteger(memoryThreshold) && memoryThreshold >= 0 && memoryThreshold <= MAX_MEMORY_THRESHOLD)) {
    throw invalidArgument(`the memory threshold is a whole number of bytes from 0 to ${MAX_MEMORY_THRESHOLD}, got ${String(memoryThreshold)}`);
  }
  const settings = { config: checkpointConfig({ intervalMs, ...rest }), mode, onCancel, dir, unaligned, alignedCheckpointTimeoutMs, memoryThreshold };
  return localRecovery ? { ...settings, localRecoveryDir: localRecoveryDir ?? defaultLocalRecoveryRoot() } : settings;
}

/** `base` with the options of `overrides` that are set; an interval alone enables checkpointing. */
export function overrideCheckpointing(
  base: CheckpointingSettings | undefined,
  overrides: (CheckpointingOptions & { readonly intervalMs?: number }) | undefined,
): CheckpointingSettings | undefined {
  if (overrides === undefined) return base;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as CheckpointingOptions & { intervalMs?: number };
  if (Object.keys(defined).length === 0) return base;
  const intervalMs = defined.intervalMs ?? base?.config.intervalMs;
  if (intervalMs === undefined) {
    throw invalidArgument("checkpoint options were given, but checkpointing is not enabled: set a checkpoint interval too");
  }
  const { intervalMs: _interval, ...options } = defined;
  const baseOptions: CheckpointingOptions =
    base === undefined
      ? {}
      : {
          mode: base.mode,
          onCancel: base.onCancel,
          dir: base.dir,
          localRecovery: base.localRecoveryDir !== undefined,
          ...(base.localRecoveryDir === undefined ? {} : { localRecoveryDir: base.localRecoveryDir }),
          unaligned: base.unaligned,
          alignedCheckpointTimeoutMs: base.alignedCheckpointTimeoutMs,
          memoryThreshold: base.memoryThreshold,
          timeoutMs: base.config.timeoutMs,
          minPauseMs: base.config.minPauseMs,
          maxConcurrent: base.config.maxConcurrent,
          tolerableFailures: base.config.tolerableFailures,
          retained: base.config.retained,
        };
  return checkpointingSettings(intervalMs, { ...baseOptions, ...options });
}
