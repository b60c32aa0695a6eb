/**
 * One attempt of a job, from deployment to its end: deploys it (on worker threads, or on this
 * thread), hands what its tasks report to the decision executor and to the run's listeners, and
 * resolves, once the attempt ended and its threads are released, to how it ended. Reports that
 * arrive after the end (a task's asynchronous phase outliving a cancellation) are ignored.
 */
import type { JobGraph } from "../../graph/job-graph.ts";
import type { CollectedRecords } from "../job-result.ts";
import { sumByOperator, type OperatorMetrics, type TaskMetrics } from "../metrics.ts";
import type { RunOptions } from "../run-options.ts";
import { ThreadAttempt } from "../threads/thread-attempt.ts";
import type { StandbyWorkers } from "../threads/standby-workers.ts";
import type { Attempt, AttemptListener, AttemptSpec } from "./attempt.ts";
import type { DecisionExecutor } from "./decision-executor.ts";
import { LocalAttempt } from "./local-attempt.ts";
import { SourceCoordinators } from "./source-coordinator.ts";
import { JobArgs } from "../../api/job-args.ts";

export type AttemptOutcome = { readonly kind: "finished" } | { readonly kind: "failed"; readonly error: Error } | { readonly kind: "cancelled" };

/** The latest metrics of every task across attempts, by reporting group (a worker thread). */
export class RunMetrics {
  private readonly latest = new Map<number, readonly TaskMetrics[]>();

  report(group: number, tasks: readonly TaskMetrics[]): void {
    const merged = new Map((this.latest.get(group) ?? []).map((t) => [`${t.vertex}:${t.subtask}`, t]));
    for (const t of tasks) merged.set(`${t.vertex}:${t.subtask}`, t);
    this.latest.set(group, [...merged.values()]);
  }

  byOperator(): OperatorMetrics[] {
    return sumByOperator([...this.latest.values()].flat());
  }
}

export interface AttemptRun {
  readonly spec: AttemptSpec;
  readonly job: JobGraph;
  /** Whether the attempt runs on worker threads (it needs the job's module) or on this thread. */
  readonly threads: boolean;
  readonly options: Pick<RunOptions, "signal" | "onStarted" | "onProgress" | "progressIntervalMs" | "onStateRestored">;
  readonly executor: DecisionExecutor | undefined;
  readonly collected: CollectedRecords;
  readonly metrics: RunMetrics;
  /** Worker threads booted ahead, which a threaded attempt runs on before booting new ones. */
  readonly standby?: StandbyWorkers | undefined;
  /** The attempt's tasks are open and records start to flow. */
  readonly onRunning: () => void;
  /** Advice from the attempt's threads that does not stop the job. */
  readonly warn: (message: string) => void;
}

export function runAttempt(run: AttemptRun): Promise<AttemptOutcome> {
  const { spec, options, executor } = run;
  return new Promise<AttemptOutcome>((resolve) => {
    let ended = false;
    let attempt: Attempt | undefined = undefined;
    let sources: SourceCoordinators | undefined = undefined;
    let progress: ReturnType<typeof setInterval> | undefined;
    const started = performance.now();
    const end = (outcome: AttemptOutcome): void => {
      if (ended) return;
      ended = true;
      executor?.unbind();
      sources?.close();
      if (progress !== undefined) clearInterval(progress);
      options.signal?.removeEventListener("abort", onAbort);
      void attempt!.cancel().then(() => resolve(outcome));
    };
    const onAbort = () => end({ kind: "cancelled" });
    const listener: AttemptListener = {
      ready: () => {
        if (ended) return;
        attempt!.start();
        run.onRunning();
        executor?.attemptReady();
        if (spec.attemptNumber === 0) options.onStarted?.();
        if (options.onProgress !== undefined) {
          const onProgress = options.onProgress;
          progress = setInterval(() => onProgress({ elapsedMs: performance.now() - started, operators: run.metrics.byOperator() }), spec.progressIntervalMs);
        }
      },
      acknowledge: (taskId, ack) => {
        if (!ended) executor?.acknowledge(taskId, ack);
      },
      decline: (taskId, id, reason) => {
        if (!ended) executor?.decline(taskId, id, reason);
      },
      endOfData: (taskId) => {
        if (!ended) executor?.endOfData(taskId);
      },
      collect: (sinkId, records) => run.collected.add(sinkId, records),
      toEnumerator: (taskId, message) => {
        if (!ended) sources?.handle(taskId, message);
      },
      metrics: (group, tasks) => run.metrics.report(group, tasks),
      restored: (report) => options.onStateRestored?.(report),
      warning: (message) => run.warn(message),
      finished: () => end({ kind: "finished" }),
      failed: (error) => end({ kind: "failed", error }),
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    attempt = run.threads ? new ThreadAttempt(spec, run.job, listener, run.standby) : new LocalAttempt({ ...spec, maxWorkers: 1 }, listener);
    const running = attempt;
    const fail = (error: Error) => end({ kind: "failed", error });
    sources = new SourceCoordinators(run.job, spec.restore, { args: new JobArgs(spec.args), clock: spec.clock, toReader: (taskId, message) => running.toReader(taskId, message) }, fail);
    sources.start();
    if (!ended) executor?.bind(attempt, fail, sources);
    if (options.signal?.aborted) onAbort();
  });
}
