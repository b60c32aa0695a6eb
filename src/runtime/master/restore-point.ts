/**
 * Finds the checkpoint a job resumes from (`--from latest` or `--from <path>`) and refuses one it
 * cannot resume from, saying why. Never falls back to starting from scratch.
 *
 * "latest" means: within one job id, the completed checkpoint with the highest id, whatever its
 * timestamps say (ids only grow within a job, while the clock that stamps a checkpoint may be an
 * injected one, or another machine's). A checkpoint directory may hold several job ids of the
 * same job graph: each fresh start makes a new one, and a resumed run keeps the id it resumed.
 * Ids of different jobs are not comparable, so between jobs the one whose newest checkpoint
 * completed last wins (its completion time as recorded in the metadata), by checkpoint id when
 * two are equal: the history that was running most recently is the one a user means to continue.
 * The newest checkpoint of each job is the only candidate of that job: one that is corrupt is an
 * error, since resuming from an older one would repeat output the newer one committed.
 */
import { DiskVolume } from "../../checkpoint/storage/disk-volume.ts";
import { listCheckpoints, type CheckpointRow } from "../../checkpoint/storage/list-checkpoints.ts";
import type { CheckpointMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import { VolumeCheckpointStorage } from "../../checkpoint/storage/volume-checkpoint-storage.ts";
import { WeirError } from "../../core/errors.ts";

export interface RestorePoint {
  /** The `_metadata` file. */
  readonly path: string;
  readonly metadata: CheckpointMetadata;
}

function storageFor(root: string): VolumeCheckpointStorage {
  return new VolumeCheckpointStorage({ volume: new DiskVolume(), root, jobId: "restore-lookup" });
}

/** Per job id under `root`, its newest checkpoint that has `_metadata` (complete or corrupt). */
async function newestPerJob(root: string): Promise<CheckpointRow[]> {
  const rows = await listCheckpoints(root).catch((e: unknown) => {
    if (e instanceof WeirError && e.code === "WEIR_ERR_CHECKPOINT_NOT_FOUND") return [];
    throw e;
  });
  const newest = new Map<string, CheckpointRow>();
  for (const row of rows) {
    if (row.status === "incomplete") continue;
    const seen = newest.get(row.jobId);
    if (seen === undefined || row.checkpointId > seen.checkpointId) newest.set(row.jobId, row);
  }
  return [...newest.values()];
}

/** The candidate that was running most recently: latest completion, then highest id. */
function mostRecent(points: readonly RestorePoint[]): RestorePoint | undefined {
  let best: RestorePoint | undefined;
  for (const p of points) {
    if (best === undefined) best = p;
    else if (p.metadata.completedAt > best.metadata.completedAt) best = p;
    else if (p.metadata.completedAt === best.metadata.completedAt && p.metadata.checkpointId > best.metadata.checkpointId) best = p;
  }
  return best;
}

/**
 * `pointer` is "latest" (see the module header) or a path (a `chk-<n>` directory, its `_metadata`,
 * a savepoint directory, or a job directory). A path may hold a checkpoint of another job graph
 * (a job changed or rescaled since): whether it restores into this one is restore-plan.ts's
 * decision. "latest" only looks for checkpoints of this very job graph.
 */
export async function findRestorePoint(pointer: string, root: string, fingerprint: string): Promise<RestorePoint> {
  if (pointer !== "latest") return storageFor(root).resolve(pointer);
  const { candidates, others } = await newestOfGraph(root, fingerprint, "throw");
  const found = mostRecent(candidates);
  if (found !== undefined) return found;
  throw new WeirError(
    "WEIR_ERR_CHECKPOINT_NOT_FOUND",
    others === 0
      ? `no completed checkpoint under '${root}' to resume from`
      : `no completed checkpoint of this job under '${root}': the ${others} job(s) there belong to other job graphs ` +
          "(after changing the job or its parallelism, name the checkpoint with --from <path>)",
  );
}

/**
 * The checkpoint `--from latest` would resume, for a job started from scratch: undefined when
 * there is none. Checkpoints that cannot be read are passed over here; resuming reports them.
 */
export async function findResumableCheckpoint(root: string, fingerprint: string): Promise<RestorePoint | undefined> {
  return mostRecent((await newestOfGraph(root, fingerprint, "skip")).candidates);
}

/**
 * The newest checkpoint of each job under `root` whose graph is `fingerprint` (candidates), and
 * how many jobs there belong to other graphs. A checkpoint that cannot be read is thrown, or
 * passed over with "skip".
 */
async function newestOfGraph(root: string, fingerprint: string, unreadable: "throw" | "skip"): Promise<{ candidates: RestorePoint[]; others: number }> {
  const storage = storageFor(root);
  const candidates: RestorePoint[] = [];
  let others = 0;
  for (const row of await newestPerJob(root)) {
    const resolved = storage.resolve(row.path);
    const point = unreadable === "skip" ? await resolved.catch(() => undefined) : await resolved;
    if (point === undefined) continue;
    if (point.metadata.jobFingerprint === fingerprint) candidates.push(point);
    else others++;
  }
  return { candidates, others };
}
