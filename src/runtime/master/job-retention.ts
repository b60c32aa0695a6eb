/**
 * Which checkpoints a job keeps, besides what the coordinator's retention decides while it runs:
 * the plan at the start of a run (pure), the deletions the coordinator asks for (in the
 * background, awaited before the job ends), and the cancel policy.
 */
import { checkpointId as toCheckpointId, type CheckpointId } from "../../checkpoint/storage/checkpoint-id.ts";
import type { CheckpointMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import type { CancelPolicy, CheckpointStorage } from "../../checkpoint/storage/checkpoint-storage.ts";

export interface StartPlan {
  /** The id of the first checkpoint this run takes. */
  readonly firstCheckpointId: CheckpointId;
  /** Completed checkpoints the coordinator starts out retaining (and later discards, oldest first). */
  readonly retained: readonly CheckpointId[];
  /** Whether to apply retention to the job directory before starting. */
  readonly cleanUpFirst: boolean;
}

/**
 * A run resuming a job continues its checkpoint ids after both the restored checkpoint and the
 * newest one in its own job directory, so no id is reused. It keeps the restored checkpoint until
 * newer ones replace it, if that checkpoint lies in its own job directory (`restoredHere`); one
 * elsewhere is never deleted. When it resumes the newest checkpoint of its directory, leftovers
 * of the earlier run beyond the retained number go first.
 */
export function planStart(restored: CheckpointMetadata | undefined, restoredHere: boolean, newestHere: CheckpointMetadata | undefined): StartPlan {
  const lastId = Math.max(restored?.checkpointId ?? 0, newestHere?.checkpointId ?? 0);
  return {
    firstCheckpointId: toCheckpointId(lastId + 1),
    retained: restored !== undefined && restoredHere ? [restored.checkpointId] : [],
    cleanUpFirst: restored !== undefined && restoredHere && newestHere?.checkpointId === restored.checkpointId,
  };
}

/** Deletes checkpoints in the background; the job ends only once every deletion is done. */
export class CheckpointDeletions {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly storage: Pick<CheckpointStorage, "discard" | "cleanupOnCancel">) {}

  /** A failure leaves files that retention removes later. */
  discard(id: CheckpointId): void {
    const deletion = this.storage.discard(id).catch(() => {});
    this.running.add(deletion);
    void deletion.finally(() => this.running.delete(deletion));
  }

  async settled(): Promise<void> {
    await Promise.all(this.running);
  }

  /** After every deletion under way: the cancel policy; a failure leaves the files as they are. */
  async onCancel(policy: CancelPolicy): Promise<void> {
    await this.settled();
    await this.storage.cleanupOnCancel(policy).catch(() => {});
  }
}
