/**
 * Each slot runs its own build of the job, so no function instance is shared between subtasks.
 * Every build must match the coordinator's graph exactly; a job whose shape changes between builds
 * is refused.
 */
import { buildJob, type JobDefinition } from "../api/define-job.ts";
import type { EnvironmentConfig } from "../api/environment.ts";
import { checkStateBackendName, type StateBackendName } from "../state/state-backends.ts";
import { WeirError } from "../core/errors.ts";
import { fingerprint, type JobGraph } from "../graph/job-graph.ts";

export async function buildSlotJobs(
  definition: JobDefinition,
  config: Partial<EnvironmentConfig>,
  args: readonly string[],
  slots: readonly number[],
  expectedFingerprint: string,
): Promise<Map<number, JobGraph>> {
  const jobs = new Map<number, JobGraph>();
  for (const slot of slots) {
    const { job } = await buildJob(definition, config, args);
    if (fingerprint(job) !== expectedFingerprint) {
      throw new WeirError(
        "WEIR_ERR_NONDETERMINISTIC_JOB",
        `building the job again for slot ${slot} gave a different graph: the job's build function must build the same pipeline every time it runs (no randomness or time-dependent structure)`,
      );
    }
    jobs.set(slot, job);
  }
  return jobs;
}

/** Overrides from run options, applied before the job's own build function runs. */
export function configOverrides(options: {
  parallelism?: number;
  maxParallelism?: number;
  bufferSize?: number;
  bufferTimeoutMs?: number;
  bufferDebloat?: boolean;
  bufferDebloatTargetMs?: number;
  objectReuse?: boolean;
  stateBackend?: StateBackendName;
  localStateDirectory?: string;
  incrementalCheckpoints?: boolean;
}): Partial<EnvironmentConfig> {
  const config: Partial<EnvironmentConfig> = {};
  if (options.parallelism !== undefined) config.parallelism = options.parallelism;
  if (options.maxParallelism !== undefined) config.maxParallelism = options.maxParallelism;
  if (options.bufferSize !== undefined) config.bufferSize = options.bufferSize;
  if (options.bufferTimeoutMs !== undefined) config.bufferTimeoutMs = options.bufferTimeoutMs;
  if (options.bufferDebloat !== undefined) config.bufferDebloat = options.bufferDebloat;
  if (options.bufferDebloatTargetMs !== undefined) config.bufferDebloatTargetMs = options.bufferDebloatTargetMs;
  if (options.objectReuse !== undefined) config.objectReuse = options.objectReuse;
  if (options.stateBackend !== undefined) config.stateBackend = checkStateBackendName(options.stateBackend);
  if (options.localStateDirectory !== undefined) config.localStateDirectory = options.localStateDirectory;
  if (options.incrementalCheckpoints !== undefined) config.incrementalCheckpoints = options.incrementalCheckpoints;
  return config;
}
