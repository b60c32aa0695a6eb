/**
 * Runs a job on worker threads. The coordinator (this thread) validates the job, plans slots and
 * channels, starts one worker per slot group with a port to every other worker, waits until every
 * worker has opened its tasks, then starts them all at once. The first failure cancels the job.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { buildJob, type JobDefinition } from "../../api/define-job.ts";
import { JobCancelledError, WeirError, type ErrorCode } from "../../core/errors.ts";
import { fingerprint } from "../../graph/job-graph.ts";
import { ExecutionPlan } from "../execution-plan.ts";
import { jobFailedError } from "../failure-report.ts";
import { CollectedRecords, JobResult } from "../job-result.ts";
import { sumByOperator, type TaskMetrics } from "../metrics.ts";
import type { RunOptions } from "../run-options.ts";
import { configOverrides } from "../slot-jobs.ts";
import type { FromWorker, SerializedError, ToWorker, WorkerInit } from "./messages.ts";

const BOOT = new URL("./worker-boot.mjs", import.meta.url);

function setupError(error: SerializedError): Error {
  if (error.code !== undefined) {
    const e = new WeirError(error.code as ErrorCode, error.message);
    e.name = error.name;
    return e;
  }
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}

export async function runThreads(moduleUrl: string, definition: JobDefinition, options: RunOptions): Promise<JobResult> {
  const overrides = configOverrides(options);
  const args = [...(options.args ?? [])];
  const { job } = await buildJob(definition, overrides, args);
  const plan = new ExecutionPlan(job, options.maxWorkers ?? availableParallelism());
  const expected = fingerprint(job);
  const progressIntervalMs = options.progressIntervalMs ?? 2000;

  const peers: (MessagePort | null)[][] = Array.from({ length: plan.workers }, () => Array<MessagePort | null>(plan.workers).fill(null));
  for (let a = 0; a < plan.workers; a++) {
    for (let b = a + 1; b < plan.workers; b++) {
      const { port1, port2 } = new MessageChannel();
      peers[a]![b] = port1;
      peers[b]![a] = port2;
    }
  }
  const workers = peers.map((ports, worker) => {
    const init: WorkerInit = {
      jobModule: moduleUrl,
      args,
      overrides,
      worker,
      maxWorkers: plan.workers,
      fingerprint: expected,
      peers: ports,
      progressIntervalMs,
    };
    const transfer = ports.filter((p): p is MessagePort => p !== null);
    return new Worker(BOOT, { workerData: init, transferList: transfer });
  });

  const collected = new CollectedRecords();
  const latest = new Map<number, readonly TaskMetrics[]>();
  const metrics = () => sumByOperator([...latest.values()].flat());
  let progress: ReturnType<typeof setInterval> | undefined;
  let started = 0;

  try {
    return await new Promise<JobResult>((resolve, reject) => {
      let ready = 0;
      let finished = 0;
      let settled = false;
      const broadcast = (message: ToWorker) => workers.forEach((w) => w.postMessage(message));
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        broadcast({ type: "cancel" });
        reject(error);
      };
      const onAbort = () => fail(new JobCancelledError());
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });

      workers.forEach((w, index) => {
        w.on("error", (e) => fail(e instanceof Error ? e : new Error(String(e))));
        w.on("exit", (code) => {
          if (!settled && code !== 0) fail(new WeirError("WEIR_ERR_INTERNAL", `worker ${index} exited with code ${code}`));
        });
        w.on("message", (m: FromWorker) => {
          switch (m.type) {
            case "ready":
              if (++ready === workers.length && !settled) {
                started = performance.now();
                options.onStarted?.();
                if (options.onProgress !== undefined) {
                  const onProgress = options.onProgress;
                  progress = setInterval(() => onProgress({ elapsedMs: performance.now() - started, operators: metrics() }), progressIntervalMs);
                }
                broadcast({ type: "start" });
              }
              break;
            case "metrics":
              latest.set(index, m.tasks);
              break;
            case "collect":
              collected.add(m.sinkId, m.records);
              break;
            case "finished":
              latest.set(index, m.tasks);
              if (++finished === workers.length && !settled) {
                settled = true;
                options.signal?.removeEventListener("abort", onAbort);
                resolve(new JobResult(performance.now() - started, metrics(), collected.bySink));
              }
              break;
            case "task-failed":
              fail(jobFailedError(m.report));
              break;
            case "setup-failed":
              fail(setupError(m.error));
              break;
          }
        });
      });
    });
  } finally {
    if (progress !== undefined) clearInterval(progress);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
