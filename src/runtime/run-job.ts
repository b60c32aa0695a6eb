/**
 * Runs a job to completion (bounded sources) or until cancelled, and reports its result.
 * A job given as a module path runs on worker threads by default; a job given as a definition
 * (no module to load in other threads) runs on the calling thread.
 */
import { availableParallelism } from "node:os";
import { buildJob, type BuiltJob, type JobDefinition, isJobDefinition } from "../api/define-job.ts";
import { overrideCheckpointing } from "../api/checkpointing-settings.ts";
import { jobModuleUrl, loadJobModule } from "../api/job-module.ts";
import { systemClock } from "../core/clock.ts";
import { invalidArgument } from "../core/errors.ts";
import { fingerprint } from "../graph/job-graph.ts";
import { parseRestartStrategy } from "../recovery/parse-restart-strategy.ts";
import { resolveRestartStrategyConfig, type ResolvedRestartStrategyConfig } from "../recovery/restart-config.ts";
import type { JobResult } from "./job-result.ts";
import { JobMaster } from "./master/job-master.ts";
import type { RunOptions } from "./run-options.ts";
import { configOverrides } from "./slot-jobs.ts";

/** Without a configured strategy: restart with exponential delay when checkpoints make restarts safe. */
const DEFAULT_WITH_CHECKPOINTS: ResolvedRestartStrategyConfig = resolveRestartStrategyConfig({ kind: "exponential-delay" });
const NO_RESTART: ResolvedRestartStrategyConfig = { kind: "none" };

/** A job loaded (from its module, unless given as a definition) and built with the run options. */
export interface LoadedJob {
  readonly definition: JobDefinition;
  readonly moduleUrl: string | undefined;
  readonly overrides: ReturnType<typeof configOverrides>;
  readonly args: string[];
  readonly built: BuiltJob;
}

export async function loadJob(job: JobDefinition | string | URL, options: RunOptions): Promise<LoadedJob> {
  let definition: JobDefinition;
  let moduleUrl: string | undefined;
  if (isJobDefinition(job)) {
    if (options.runtime === "threads") {
      throw invalidArgument("the threads runtime loads the job in every worker: pass the job's module path instead of its definition");
    }
    definition = job;
  } else {
    moduleUrl = jobModuleUrl(job);
    definition = await loadJobModule(moduleUrl, typeof job === "string" ? job : undefined);
  }
  const overrides = configOverrides(options);
  const args = [...(options.args ?? [])];
  return { definition, moduleUrl, overrides, args, built: await buildJob(definition, overrides, args) };
}

export async function runJob(job: JobDefinition | string | URL, options: RunOptions = {}): Promise<JobResult> {
  const { definition, moduleUrl, overrides, args, built } = await loadJob(job, options);
  const checkpointing = overrideCheckpointing(built.env.getCheckpointing(), options.checkpointing);
  const configured = options.restartStrategy ?? built.env.getRestartStrategy();
  const restartStrategy =
    configured === undefined
      ? checkpointing === undefined
        ? NO_RESTART
        : DEFAULT_WITH_CHECKPOINTS
      : resolveRestartStrategyConfig(typeof configured === "string" ? parseRestartStrategy(configured) : configured);
  const master = new JobMaster({
    definition,
    moduleUrl: options.runtime === "single-thread" ? undefined : moduleUrl,
    job: built.job,
    name: typeof job === "string" ? job : job instanceof URL ? job.href : "job",
    fingerprint: fingerprint(built.job),
    overrides,
    args,
    checkpointing,
    restartStrategy,
    maxWorkers: options.maxWorkers ?? availableParallelism(),
    clock: options.clock ?? systemClock,
    options,
  });
  return master.run();
}
