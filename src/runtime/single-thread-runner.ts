/** Runs every subtask of a job on the calling thread: the same graph and tasks as with threads. */
import { buildJob, type JobDefinition } from "../api/define-job.ts";
import { JobArgs } from "../api/job-args.ts";
import { systemClock } from "../core/clock.ts";
import { JobCancelledError } from "../core/errors.ts";
import { fingerprint } from "../graph/job-graph.ts";
import { deploy } from "./deployment.ts";
import { ExecutionPlan } from "./execution-plan.ts";
import { jobFailedError, TaskFailure } from "./failure-report.ts";
import { CollectedRecords, JobResult } from "./job-result.ts";
import { sumByOperator } from "./metrics.ts";
import type { RunOptions } from "./run-options.ts";
import { buildSlotJobs, configOverrides } from "./slot-jobs.ts";

export async function runSingleThread(definition: JobDefinition, options: RunOptions): Promise<JobResult> {
  const overrides = configOverrides(options);
  const args = options.args ?? [];
  const first = await buildJob(definition, overrides, args);
  const plan = new ExecutionPlan(first.job, 1);
  const slots = Array.from({ length: plan.slots }, (_, s) => s);
  const jobs = await buildSlotJobs(definition, overrides, args, slots.slice(1), fingerprint(first.job));
  jobs.set(0, first.job);
  const config = first.env.getConfig();
  const collected = new CollectedRecords();
  const deployment = deploy({
    plan,
    worker: 0,
    jobForSlot: (slot) => jobs.get(slot)!,
    args: new JobArgs(args),
    clock: options.clock ?? systemClock,
    client: { send: (sinkId, records) => collected.add(sinkId, records) },
    transport: undefined,
    bufferSize: config.bufferSize,
    bufferTimeoutMs: config.bufferTimeoutMs,
  });
  const executor = deployment.executor;
  const metrics = () => sumByOperator(executor.tasks.map((t) => t.metrics()));
  let cancelled = false;
  const onAbort = () => {
    cancelled = true;
    executor.cancel();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let progress: ReturnType<typeof setInterval> | undefined;
  try {
    await executor.openAll();
    const started = performance.now();
    options.onStarted?.();
    if (options.onProgress !== undefined) {
      const onProgress = options.onProgress;
      progress = setInterval(() => onProgress({ elapsedMs: performance.now() - started, operators: metrics() }), options.progressIntervalMs ?? 2000);
    }
    if (!options.signal?.aborted) await executor.run();
    if (cancelled || options.signal?.aborted) throw new JobCancelledError();
    return new JobResult(performance.now() - started, metrics(), collected.bySink);
  } catch (e) {
    await executor.dispose();
    throw e instanceof TaskFailure ? jobFailedError(e.report) : e;
  } finally {
    if (progress !== undefined) clearInterval(progress);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
