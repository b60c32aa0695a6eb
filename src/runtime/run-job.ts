/**
 * Runs a job to completion (bounded sources) or until cancelled, and reports its result.
 * A job given as a module path runs on worker threads by default; a job given as a definition
 * (no module to load in other threads) runs on the calling thread.
 */
import { type JobDefinition, isJobDefinition } from "../api/define-job.ts";
import { jobModuleUrl, loadJobModule } from "../api/job-module.ts";
import { invalidArgument } from "../core/errors.ts";
import type { JobResult } from "./job-result.ts";
import type { RunOptions } from "./run-options.ts";
import { runSingleThread } from "./single-thread-runner.ts";
import { runThreads } from "./threads/thread-runner.ts";

export async function runJob(job: JobDefinition | string | URL, options: RunOptions = {}): Promise<JobResult> {
  if (isJobDefinition(job)) {
    if (options.runtime === "threads") {
      throw invalidArgument("the threads runtime loads the job in every worker: pass the job's module path instead of its definition");
    }
    return runSingleThread(job, options);
  }
  const url = jobModuleUrl(job);
  const definition = await loadJobModule(url);
  return options.runtime === "single-thread" ? runSingleThread(definition, options) : runThreads(url, definition, options);
}
