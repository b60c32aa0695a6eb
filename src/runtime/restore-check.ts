/**
 * The compatibility check of a checkpoint or savepoint against a job, without running the job:
 * loads and builds the job with the run options (parallelism, max parallelism, job arguments),
 * reads the checkpoint's metadata and plans the restore, states included
 * (job-restore-plan.ts). `weir savepoint check`
 * prints the result; `weir run --from` makes the same plan before anything starts.
 */
import type { JobDefinition } from "../api/define-job.ts";
import { DEFAULT_CHECKPOINT_ROOT } from "../checkpoint/storage/checkpoint-paths.ts";
import { fingerprint } from "../graph/job-graph.ts";
import { findRestorePoint, type RestorePoint } from "./master/restore-point.ts";
import { planJobRestore } from "./master/job-restore-plan.ts";
import type { JobOperator, RestorePlan } from "./master/restore-plan.ts";
import { loadJob } from "./run-job.ts";
import type { RunOptions } from "./run-options.ts";

export interface RestoreCheck {
  readonly point: RestorePoint;
  readonly operators: readonly JobOperator[];
  readonly plan: RestorePlan;
}

/** `pointer` is a checkpoint or savepoint path, or "latest" (of this job graph, under the options' checkpoint dir). */
export async function checkRestore(job: JobDefinition | string | URL, pointer: string, options: RunOptions = {}): Promise<RestoreCheck> {
  const { built } = await loadJob(job, { ...options, runtime: "single-thread" });
  const root = options.checkpointing?.dir ?? built.env.getCheckpointing()?.dir ?? DEFAULT_CHECKPOINT_ROOT;
  const point = await findRestorePoint(pointer, root, fingerprint(built.job));
  const { operators, plan } = await planJobRestore(point, built.job, options.args ?? [], {
    allowNonRestoredState: options.allowNonRestoredState,
    uidMap: new Map(Object.entries(options.mapUids ?? {})),
  });
  return { point, operators, plan };
}
