/**
 * The job master: runs a job as a sequence of attempts. It owns the checkpoint coordinator (a pure
 * state machine; this class carries out its decisions: triggers, metadata writes, notifications),
 * the checkpoint storage of the job, and the restart strategy. When an attempt fails, the strategy
 * decides; a restart deploys a new attempt from the newest completed checkpoint on disk.
 *
 * End of a bounded job with checkpoints: once every source task reported end of data, a final
 * checkpoint is requested; when a checkpoint triggered after that point completes, tasks are told
 * to finish, so sinks have committed everything before the job ends.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import type { JobDefinition } from "../../api/define-job.ts";
import type { CheckpointingSettings } from "../../api/checkpointing-settings.ts";
import type { EnvironmentConfig } from "../../api/environment.ts";
import { CheckpointCoordinator } from "../../checkpoint/coordinator/coordinator.ts";
import type { CoordinatorDecision, PersistDecision } from "../../checkpoint/coordinator/decisions.ts";
import type { TaskId } from "../../checkpoint/coordinator/task-id.ts";
import { checkpointId as toCheckpointId } from "../../checkpoint/storage/checkpoint-id.ts";
import type { CheckpointMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import { FileCheckpointStorage } from "../../checkpoint/storage/file-checkpoint-storage.ts";
import type { Clock } from "../../core/clock.ts";
import { makeDirectories } from "../../core/directories.ts";
import { JobCancelledError, WeirError, type ErrorCode } from "../../core/errors.ts";
import type { JobGraph } from "../../graph/job-graph.ts";
import { createRestartStrategy } from "../../recovery/create-restart-strategy.ts";
import type { ResolvedRestartStrategyConfig } from "../../recovery/restart-config.ts";
import type { RestartStrategy } from "../../recovery/restart-strategy.ts";
import { CollectedRecords, JobResult } from "../job-result.ts";
import { sumByOperator, type TaskMetrics } from "../metrics.ts";
import type { RunOptions } from "../run-options.ts";
import type { OperatorStateHandle } from "../task-checkpointing.ts";
import { ThreadAttempt } from "../threads/thread-attempt.ts";
import type { Attempt, AttemptListener, AttemptSpec } from "./attempt.ts";
import { buildCheckpointMetadata } from "./checkpoint-metadata-builder.ts";
import { LocalAttempt } from "./local-attempt.ts";
import { findRestorePoint } from "./restore-point.ts";

type Snapshot = readonly OperatorStateHandle[];

/** Tasks name themselves "<vertex>:<subtask>", the coordinator's task id format. */
const toTaskId = (id: string): TaskId => id as TaskId;

type AttemptOutcome = { readonly kind: "finished" } | { readonly kind: "failed"; readonly error: Error } | { readonly kind: "cancelled" };

/** Failures that a restart cannot mend: the job or its restore point is wrong. */
const NOT_RESTARTABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "WEIR_ERR_JOB_MODULE",
  "WEIR_ERR_NONDETERMINISTIC_JOB",
  "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM",
  "WEIR_ERR_STATE_CONFLICT",
  "WEIR_ERR_STATE_CORRUPT",
  "WEIR_ERR_SINK_CONFLICT",
  "WEIR_ERR_CHECKPOINT_CORRUPT",
  "WEIR_ERR_CHECKPOINT_STATE_MISSING",
  "WEIR_ERR_CHECKPOINT_MISMATCH",
  "WEIR_ERR_INVALID_ARGUMENT",
]);

export interface JobMasterParams {
  readonly definition: JobDefinition;
  readonly moduleUrl: string | undefined;
  readonly job: JobGraph;
  readonly fingerprint: string;
  readonly overrides: Partial<EnvironmentConfig>;
  readonly args: readonly string[];
  readonly checkpointing: CheckpointingSettings | undefined;
  readonly restartStrategy: ResolvedRestartStrategyConfig;
  readonly maxWorkers: number;
  readonly clock: Clock;
  readonly options: RunOptions;
}

/** Refuses a checkpoint directory that cannot be written before the job starts, not at its first checkpoint. */
async function checkWritable(dir: string): Promise<void> {
  try {
    await makeDirectories(dir);
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new WeirError("WEIR_ERR_CHECKPOINT_IO", `checkpoint directory '${dir}' cannot be written: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function newJobId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `job-${stamp}-${randomBytes(3).toString("hex")}`;
}

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

export class JobMaster {
  private readonly collected = new CollectedRecords();
  private readonly latestMetrics = new Map<number, readonly TaskMetrics[]>();
  private readonly restartStrategy: RestartStrategy;
  private readonly sourceTasks: ReadonlySet<string>;
  private coordinator: CheckpointCoordinator<Snapshot> | undefined;
  private storage: FileCheckpointStorage | undefined;
  private jobId = "";
  private attempt: Attempt | undefined;
  /** Whether the current attempt's tasks are open and running; commands wait for it. */
  private attemptReady = false;
  /** Triggers decided while no attempt was ready; sent when one is. */
  private waitingTriggers: { checkpointId: number; timestamp: number }[] = [];
  private failAttempt: ((error: Error) => void) | undefined;
  private tickTimer: ReturnType<typeof setTimeout> | undefined;
  private endedSources = new Set<string>();
  /** Checkpoints from this id on were triggered after every source ended: completing one ends the job. */
  private finalFrom: number | undefined;
  private restarts = 0;
  /** When the first attempt's tasks were all open and records began to flow. */
  private startedAt: number | undefined;
  /** Metadata writes under way: a restart waits for them, so it restores from the newest checkpoint. */
  private readonly persisting = new Set<Promise<void>>();
  /** Deletions of checkpoints under way; the job ends only when they are done. */
  private readonly discarding = new Set<Promise<void>>();

  constructor(private readonly params: JobMasterParams) {
    this.restartStrategy = createRestartStrategy(params.restartStrategy, { random: Math.random });
    const sources = new Set<string>();
    for (const v of params.job.vertices) if (v.inputs.length === 0) for (let s = 0; s < v.parallelism; s++) sources.add(`${v.id}:${s}`);
    this.sourceTasks = sources;
  }

  private get metrics() {
    return sumByOperator([...this.latestMetrics.values()].flat());
  }

  async run(): Promise<JobResult> {
    const { options, checkpointing, clock } = this.params;
    let restore: { path: string; metadata: CheckpointMetadata } | undefined;
    if (options.from !== undefined) {
      if (checkpointing === undefined) throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", "resuming from a checkpoint needs checkpointing enabled (a checkpoint interval)");
      restore = await findRestorePoint(options.from, checkpointing.dir, this.params.fingerprint);
    }
    this.jobId = restore?.metadata.jobId ?? newJobId();
    if (checkpointing !== undefined) {
      this.storage = new FileCheckpointStorage({ jobId: this.jobId, root: checkpointing.dir });
      await checkWritable(this.storage.jobDir);
      // Resuming a job continues its checkpoint ids and keeps the restored checkpoint until newer
      // ones replace it; leftovers of the earlier run beyond the retained number are removed.
      const latestOnDisk = restore === undefined ? undefined : await this.storage.latest();
      const lastId = Math.max(restore?.metadata.checkpointId ?? 0, latestOnDisk?.checkpointId ?? 0);
      if (restore !== undefined && latestOnDisk?.checkpointId === restore.metadata.checkpointId) await this.storage.retain(checkpointing.config.retained);
      const kept = restore?.metadata.jobId === this.jobId ? [toCheckpointId(restore.metadata.checkpointId)] : [];
      this.coordinator = this.newCoordinator(lastId + 1, kept);
    }
    try {
      for (let attemptNumber = 0; ; attemptNumber++) {
        options.onAttempt?.({ attempt: attemptNumber, jobId: this.jobId, restoredFrom: restore?.path, restoredCheckpointId: restore?.metadata.checkpointId });
        const outcome = await this.runAttempt(attemptNumber, restore?.metadata);
        if (outcome.kind === "finished") {
          if (this.coordinator !== undefined && this.coordinator.phase !== "stopped") this.apply(this.coordinator.stop());
          await Promise.all(this.persisting);
          await Promise.all(this.discarding);
          return new JobResult(this.startedAt === undefined ? 0 : performance.now() - this.startedAt, this.metrics, this.collected.bySink, {
            jobId: this.jobId,
            restarts: this.restarts,
            checkpoints: this.coordinator?.stats.snapshot(),
          });
        }
        if (outcome.kind === "cancelled") {
          if (this.coordinator !== undefined && this.coordinator.phase !== "stopped") this.apply(this.coordinator.stop());
          await Promise.all(this.persisting);
          await Promise.all(this.discarding);
          if (this.storage !== undefined && checkpointing !== undefined) await this.storage.cleanupOnCancel(checkpointing.onCancel).catch(() => {});
          throw new JobCancelledError();
        }
        const error = outcome.error;
        if (error instanceof WeirError && NOT_RESTARTABLE.has(error.code)) throw error;
        this.apply(this.coordinator?.taskFailed() ?? []);
        const decision = this.restartStrategy.onFailure(clock.now(), { cause: error });
        if (decision.kind === "fail") {
          if (this.restarts === 0 && this.params.restartStrategy.kind === "none") throw error;
          throw new WeirError("WEIR_ERR_RESTARTS_EXHAUSTED", `${error.message} (not restarted: ${decision.reason})`, { cause: error });
        }
        this.restarts++;
        options.onRestart?.({ restart: this.restarts, delayMs: decision.delayMs, cause: error });
        await sleep(decision.delayMs, options.signal);
        if (options.signal?.aborted) throw new JobCancelledError();
        await Promise.all(this.persisting);
        // The newest checkpoint this run completed (or kept from its restore point), never a newer
        // one on disk from a history the user chose not to resume.
        const newest = this.coordinator?.latestCompletedCheckpoint;
        const latest = newest === undefined ? undefined : await this.storage!.readMetadata(newest);
        if (latest !== undefined) restore = { path: `${this.storage!.jobDir}/chk-${latest.checkpointId}/_metadata`, metadata: latest };
        this.endedSources = new Set();
        this.finalFrom = undefined;
        const coordinator = this.coordinator;
        // A coordinator stopped after the final checkpoint (the failure came while closing) starts afresh.
        if (coordinator?.phase === "stopped") this.coordinator = this.newCoordinator(coordinator.nextCheckpointId, latest === undefined ? [] : [toCheckpointId(latest.checkpointId)]);
        else this.apply(coordinator?.resume() ?? []);
      }
    } finally {
      if (this.tickTimer !== undefined) clearTimeout(this.tickTimer);
    }
  }

  private newCoordinator(firstCheckpointId: number, retained: readonly number[]): CheckpointCoordinator<Snapshot> {
    const tasks = this.params.job.vertices.flatMap((v) => Array.from({ length: v.parallelism }, (_, s) => toTaskId(`${v.id}:${s}`)));
    return new CheckpointCoordinator<Snapshot>({
      config: this.params.checkpointing!.config,
      tasks,
      clock: this.params.clock,
      firstCheckpointId: toCheckpointId(firstCheckpointId),
      retainedCheckpoints: retained.map(toCheckpointId),
    });
  }

  private runAttempt(attemptNumber: number, restore: CheckpointMetadata | undefined): Promise<AttemptOutcome> {
    const { params } = this;
    const { options } = params;
    const spec: AttemptSpec = {
      definition: params.definition,
      moduleUrl: params.moduleUrl,
      overrides: params.overrides,
      args: params.args,
      maxWorkers: params.maxWorkers,
      fingerprint: params.fingerprint,
      checkpointing: params.checkpointing === undefined ? undefined : { mode: params.checkpointing.mode, root: params.checkpointing.dir, jobId: this.jobId },
      restore,
      clock: params.clock,
      progressIntervalMs: options.progressIntervalMs ?? 2000,
      attemptNumber,
    };
    return new Promise<AttemptOutcome>((resolve) => {
      let ended = false;
      let progress: ReturnType<typeof setInterval> | undefined;
      const started = performance.now();
      const end = (outcome: AttemptOutcome): void => {
        if (ended) return;
        ended = true;
        this.attemptReady = false;
        this.waitingTriggers = [];
        this.failAttempt = undefined;
        if (progress !== undefined) clearInterval(progress);
        if (this.tickTimer !== undefined) clearTimeout(this.tickTimer);
        options.signal?.removeEventListener("abort", onAbort);
        const attempt = this.attempt!;
        this.attempt = undefined;
        void attempt.cancel().then(() => resolve(outcome));
      };
      const onAbort = () => end({ kind: "cancelled" });
      this.failAttempt = (error) => end({ kind: "failed", error });
      const listener: AttemptListener = {
        ready: () => {
          if (ended) return;
          this.attempt!.start();
          this.startedAt ??= performance.now();
          this.attemptReady = true;
          for (const t of this.waitingTriggers.splice(0)) this.attempt!.triggerCheckpoint(t.checkpointId, t.timestamp);
          if (attemptNumber === 0) options.onStarted?.();
          if (options.onProgress !== undefined) {
            const onProgress = options.onProgress;
            progress = setInterval(() => onProgress({ elapsedMs: performance.now() - started, operators: this.metrics }), options.progressIntervalMs ?? 2000);
          }
          this.scheduleTick();
        },
        acknowledge: (taskId, ack) => {
          const coordinator = this.coordinator;
          if (coordinator === undefined || ended) return;
          this.apply(coordinator.acknowledge(toCheckpointId(ack.checkpointId), toTaskId(taskId), ack.stats, ack.operators).decisions);
        },
        decline: (taskId, id, reason) => {
          if (!ended) this.apply(this.coordinator?.decline(toCheckpointId(id), toTaskId(taskId), reason) ?? []);
        },
        endOfData: (taskId) => {
          if (ended || !this.sourceTasks.has(taskId)) return;
          this.endedSources.add(taskId);
          if (this.endedSources.size === this.sourceTasks.size && this.finalFrom === undefined) this.requestFinalCheckpoint();
        },
        collect: (sinkId, records) => this.collected.add(sinkId, records),
        metrics: (group, tasks) => {
          const merged = new Map((this.latestMetrics.get(group) ?? []).map((t) => [`${t.vertex}:${t.subtask}`, t]));
          for (const t of tasks) merged.set(`${t.vertex}:${t.subtask}`, t);
          this.latestMetrics.set(group, [...merged.values()]);
        },
        finished: () => end({ kind: "finished" }),
        failed: (error) => end({ kind: "failed", error }),
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.attempt =
        options.runtime === "single-thread" || params.moduleUrl === undefined
          ? new LocalAttempt({ ...spec, maxWorkers: 1 }, listener)
          : new ThreadAttempt(spec, params.job, listener);
      if (options.signal?.aborted) onAbort();
    });
  }

  private requestFinalCheckpoint(): void {
    const coordinator = this.coordinator;
    if (coordinator === undefined) return;
    this.finalFrom = coordinator.nextCheckpointId;
    this.apply(coordinator.stopPeriodicCheckpoints());
    // A checkpoint may have been triggered by the line above; any checkpoint from finalFrom on is final.
    if (!coordinator.pendingCheckpoints().some((p) => p.id >= this.finalFrom!)) this.apply(coordinator.triggerNow().decisions);
  }

  private scheduleTick(): void {
    if (this.tickTimer !== undefined) clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    const coordinator = this.coordinator;
    if (coordinator === undefined || this.attempt === undefined) return;
    const next = coordinator.nextWakeUp();
    if (next === undefined) return;
    this.tickTimer = setTimeout(() => this.apply(coordinator.tick()), Math.max(0, next - this.params.clock.now()));
  }

  /** Carries out the coordinator's decisions, in order. */
  private apply(decisions: readonly CoordinatorDecision<Snapshot>[]): void {
    const attempt = this.attempt;
    let stopAfter = false;
    const stats = (id: number) => this.coordinator?.stats.get(toCheckpointId(id));
    for (const d of decisions) {
      switch (d.kind) {
        case "trigger":
          if (attempt !== undefined && this.attemptReady) attempt.triggerCheckpoint(d.checkpointId, d.timestamp);
          else this.waitingTriggers.push({ checkpointId: d.checkpointId, timestamp: d.timestamp });
          break;
        case "persist": {
          const write = this.persist(d);
          this.persisting.add(write);
          void write.finally(() => this.persisting.delete(write));
          break;
        }
        case "complete": {
          attempt?.notifyCheckpointComplete(d.checkpointId);
          const s = stats(d.checkpointId);
          if (s !== undefined) this.params.options.onCheckpoint?.(s);
          if (this.finalFrom !== undefined && d.checkpointId >= this.finalFrom) {
            attempt?.finish();
            // The job's output is committed: no checkpoint may start while the tasks close.
            stopAfter = true;
          }
          break;
        }
        case "abort": {
          attempt?.notifyCheckpointAborted(d.checkpointId);
          this.discard(d.checkpointId);
          const s = stats(d.checkpointId);
          if (s !== undefined) this.params.options.onCheckpoint?.(s);
          // A final checkpoint that failed is asked for again.
          if (this.finalFrom !== undefined && attempt !== undefined) queueMicrotask(() => this.retryFinalCheckpoint());
          break;
        }
        case "discard":
          this.discard(d.checkpointId);
          break;
        case "drop-request":
          break;
        case "fail-job":
          this.failAttempt?.(new WeirError("WEIR_ERR_CHECKPOINT_FAILURES", d.reason));
          break;
      }
    }
    if (stopAfter && this.coordinator !== undefined && this.coordinator.phase !== "stopped") this.apply(this.coordinator.stop());
    this.scheduleTick();
  }

  /** Deletes a checkpoint's files in the background; a failure leaves files that retention removes later. */
  private discard(id: number): void {
    const storage = this.storage;
    if (storage === undefined) return;
    const deletion = storage.discard(toCheckpointId(id)).catch(() => {});
    this.discarding.add(deletion);
    void deletion.finally(() => this.discarding.delete(deletion));
  }

  private retryFinalCheckpoint(): void {
    const coordinator = this.coordinator;
    if (coordinator === undefined || this.attempt === undefined || coordinator.phase !== "running") return;
    if (coordinator.pendingCheckpoints().some((p) => p.id >= this.finalFrom!)) return;
    this.apply(coordinator.triggerNow().decisions);
  }

  private async persist(d: PersistDecision<Snapshot>): Promise<void> {
    const coordinator = this.coordinator!;
    const storage = this.storage!;
    try {
      const metadata = buildCheckpointMetadata({
        jobId: this.jobId,
        checkpointId: d.checkpointId,
        triggeredAt: d.timestamp,
        completedAt: Math.max(d.timestamp, this.params.clock.now()),
        fingerprint: this.params.fingerprint,
        job: this.params.job,
        acknowledgements: d.acknowledgements,
      });
      await storage.writeMetadata(metadata);
    } catch (e) {
      this.apply(coordinator.persistFailed(d.checkpointId, e));
      return;
    }
    this.apply(coordinator.persisted(d.checkpointId));
  }
}
