/**
 * Finds the checkpoint a job resumes from (`--from latest` or `--from <path>`) and refuses one it
 * cannot resume from, saying why. Never falls back to starting from scratch.
 */
import { DiskVolume } from "../../checkpoint/storage/disk-volume.ts";
import { listCheckpoints } from "../../checkpoint/storage/list-checkpoints.ts";
import type { CheckpointMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import { VolumeCheckpointStorage } from "../../checkpoint/storage/volume-checkpoint-storage.ts";
import { WeirError } from "../../core/errors.ts";

export interface RestorePoint {
  readonly path: string;
  readonly metadata: CheckpointMetadata;
}

function storageFor(root: string): VolumeCheckpointStorage {
  return new VolumeCheckpointStorage({ volume: new DiskVolume(), root, jobId: "restore-lookup" });
}

function checkGraph(point: RestorePoint, fingerprint: string): RestorePoint {
  if (point.metadata.jobFingerprint !== fingerprint) {
    throw new WeirError(
      "WEIR_ERR_CHECKPOINT_MISMATCH",
      `checkpoint ${point.path} was written by a different job graph (other operators, uids, parallelism or partitioning); ` +
        "it cannot be restored into this job",
    );
  }
  return point;
}

/**
 * `pointer` is "latest" (the newest complete checkpoint of this job graph under `root`) or a path
 * (a `chk-<n>` directory, its `_metadata`, or a job directory).
 */
export async function findRestorePoint(pointer: string, root: string, fingerprint: string): Promise<RestorePoint> {
  if (pointer !== "latest") return checkGraph(await storageFor(root).resolve(pointer), fingerprint);
  const rows = (await listCheckpoints(root).catch((e: unknown) => {
    if (e instanceof WeirError && e.code === "WEIR_ERR_CHECKPOINT_NOT_FOUND") return [];
    throw e;
  })).filter((r) => r.status !== "incomplete");
  rows.sort((a, b) => b.time - a.time || b.checkpointId - a.checkpointId);
  let others = 0;
  for (const row of rows) {
    const point = await storageFor(root).resolve(row.path);
    if (point.metadata.jobFingerprint === fingerprint) return point;
    others++;
  }
  throw new WeirError(
    "WEIR_ERR_CHECKPOINT_NOT_FOUND",
    others === 0
      ? `no completed checkpoint under '${root}' to resume from`
      : `no completed checkpoint of this job under '${root}': the ${others} there belong to other job graphs`,
  );
}
