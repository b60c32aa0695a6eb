/**
 * Which checkpoints to delete: pure decisions over what `list` found. The storage carries them out.
 */
import { invalidArgument } from "../../core/errors.ts";
import type { CheckpointId } from "./checkpoint-id.ts";
import type { CheckpointStatus } from "./checkpoint-storage.ts";

export interface CheckpointFacts {
  readonly checkpointId: CheckpointId;
  readonly status: CheckpointStatus;
}

export interface RetentionPlan {
  /** Checkpoints to delete, ascending. */
  readonly discard: readonly CheckpointId[];
  /** Complete checkpoints that stay, ascending: the ones whose temp files may be cleaned. */
  readonly keepComplete: readonly CheckpointId[];
}

function ascending(ids: CheckpointId[]): CheckpointId[] {
  return ids.sort((a, b) => a - b);
}

/**
 * Keep the newest `newest` complete checkpoints; discard older complete ones and every incomplete
 * or corrupt one below the newest complete id. Nothing at or above the newest complete id is
 * discarded. `newest` below 1 or not an integer is WEIR_ERR_INVALID_ARGUMENT.
 */
export function planRetention(checkpoints: readonly CheckpointFacts[], newest: number): RetentionPlan {
  if (!Number.isSafeInteger(newest) || newest < 1) {
    throw invalidArgument(`the number of checkpoints to retain is an integer of at least 1, got ${newest}`);
  }
  const complete = ascending(checkpoints.filter((c) => c.status === "complete").map((c) => c.checkpointId));
  if (complete.length === 0) return { discard: [], keepComplete: [] };
  const newestComplete = complete[complete.length - 1]!;
  const keepComplete = complete.slice(-newest);
  const discard = checkpoints
    .filter((c) => (c.status === "complete" ? !keepComplete.includes(c.checkpointId) : c.checkpointId < newestComplete))
    .map((c) => c.checkpointId);
  return { discard: ascending(discard), keepComplete };
}

/** On cancel with the "retain" policy: discard every incomplete checkpoint, keep complete and corrupt ones. */
export function planRetainOnCancel(checkpoints: readonly CheckpointFacts[]): RetentionPlan {
  return {
    discard: ascending(checkpoints.filter((c) => c.status === "incomplete").map((c) => c.checkpointId)),
    keepComplete: ascending(checkpoints.filter((c) => c.status === "complete").map((c) => c.checkpointId)),
  };
}

/**
 * Reference counting of shared files: of the files a discarded checkpoint references (`released`),
 * those that no remaining checkpoint (`kept`, each the set of files it references) references.
 */
export function releasedSharedFiles(released: ReadonlySet<string>, kept: readonly ReadonlySet<string>[]): string[] {
  return [...released].filter((path) => !kept.some((files) => files.has(path))).sort();
}

/**
 * Of the files under `shared/` (`present`, paths), those no checkpoint references (`referenced`):
 * state files and temp files alike, since a temp file is never referenced. Sorted.
 */
export function unreferencedSharedFiles(present: readonly string[], referenced: ReadonlySet<string>): string[] {
  return present.filter((path) => !referenced.has(path)).sort();
}
