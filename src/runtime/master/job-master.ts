/**
 * The job master: runs a job as a sequence of attempts (attempt-run.ts), each restoring the checkpoint that
 * job-restore.ts chooses, until one finishes, the job is cancelled, or a failure is final
 * (restart-loop.ts). It owns the checkpoint coordinator, whose decisions the DecisionExecutor
 * carries out for the attempt that runs, the job's checkpoint storage, and what the run keeps
 * and deletes of it (job-retention.ts).
 *
 * A job with checkpointing started from scratch is refused when a completed checkpoint of the
 * same job graph is in its checkpoint directory, unless it is asked to start fresh: running it
 * again from scratch would repeat the output that checkpoint's run committed.
 *
 * End of a bounded job with checkpoints: once every source task reported end of data, the
 * coordinator takes the final checkpoint; when it completes, the tasks are told to finish, so
 * sinks have committed everything before the job ends.
 *
 * Once the job id is known, the master hands `options.onControl` a JobControl (job-status-control.ts):
 * its status, checkpoint statistics, savepoints, stop with a savepoint, and cancel.
 */
import { STANDBY_AFTER_MS, StandbyWorkers, standbyBootsNow } from "../threads/standby-workers.ts";
import { ExecutionPlan } from "../execution-plan.ts";
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, rm } from "node:fs/promises";
import type { JobDefinition } from "../../api/define-job.ts";
import type { CheckpointingSettings } from "../../api/checkpointing-settings.ts";
import type { EnvironmentConfig } from "../../api/environment.ts";
import { CheckpointCoordinator } from "../../checkpoint/coordinator/coordinator.ts";
import { taskId } from "../../checkpoint/coordinator/task-id.ts";
import type { CheckpointId } from "../../checkpoint/storage/checkpoint-id.ts";
import { FileCheckpointStorage } from "../../checkpoint/storage/file-checkpoint-storage.ts";
import { LocalStatePaths } from "../../checkpoint/local/local-state-paths.ts";
import type { Clock } from "../../core/clock.ts";
import { makeDirectories } from "../../core/directories.ts";
import { JobCancelledError, WeirError } from "../../core/errors.ts";
import type { JobGraph } from "../../graph/job-graph.ts";
import { createRestartStrategy } from "../../recovery/create-restart-strategy.ts";
import type { ResolvedRestartStrategyConfig } from "../../recovery/restart-config.ts";
import type { RestartStrategy } from "../../recovery/restart-strategy.ts";
import { CollectedRecords, JobResult } from "../job-result.ts";
import { faultHooksObserve } from "../fault-hooks.ts";
import type { JobState, JobStatusReport } from "../job-status.ts";
import type { RunOptions } from "../run-options.ts";
import type { AttemptSpec } from "./attempt.ts";
import { runAttempt, RunMetrics, type AttemptOutcome } from "./attempt-run.ts";
import { DecisionExecutor, type Snapshot } from "./decision-executor.ts";
import { isInStorage, restorePointForRestart } from "./job-restore.ts";
import { CheckpointDeletions, planStart } from "./job-retention.ts";
import { decideAfterFailure, sleepUnlessAborted } from "./restart-loop.ts";
import { findResumableCheckpoint, findRestorePoint, type RestorePoint } from "./restore-point.ts";
import { jobOperators, remapCheckpoint, statefulWithoutUid } from "./restore-plan.ts";
import { planJobRestore } from "./job-restore-plan.ts";
import { restoreRefusedError } from "./restore-report.ts";
import type { JobStatus } from "../job-control.ts";
import { JobStatusControl } from "./job-status-control.ts";

export interface JobMasterParams {
  readonly definition: JobDefinition;
  readonly moduleUrl: string | undefined;
  readonly job: JobGraph;
  /** How the job is named to its control plane: its module, as given. */
  readonly name: string;
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

/** What a run with checkpointing holds besides the attempt. */
interface Checkpointing {
  readonly storage: FileCheckpointStorage;
  readonly deletions: CheckpointDeletions;
  readonly executor: DecisionExecutor;
}

export class JobMaster {
  private readonly collected = new CollectedRecords();
  private readonly metrics = new RunMetrics();
  private readonly restartStrategy: RestartStrategy;
  private checkpointing: Checkpointing | undefined;
  private jobId = "";
  private restarts = 0;
  /** Warnings from the attempts' threads already given: each once per run, however many threads or attempts repeat it. */
  private readonly warned = new Set<string>();
  /** When the first attempt's tasks were all open and records began to flow. */
  private startedAt: number | undefined;
  private state: { state: JobState; since: number; attempt: number; restoredCheckpointId: number | undefined; lastFailure: string | undefined } = {
    state: "deploying",
    since: 0,
    attempt: 0,
    restoredCheckpointId: undefined,
    lastFailure: undefined,
  };
  /** Cancellation was asked for through the control API and the job has not ended yet. */
  private cancelling = false;
  private endTime: number | undefined;
  /** Cancels the job from its control plane, as the caller's signal does. */
  private readonly cancellation = new AbortController();
  /** The caller's options, with a signal that the control plane can abort too. */
  private readonly options: RunOptions;
  /** Worker threads booted for the next attempt while this one runs, when attempts run on threads and may restart. */
  private readonly standby: StandbyWorkers | undefined;
  /** The current attempt's tasks are open and records flow. */
  private attemptRunning = false;
  /** When the current attempt began to run (the params' clock). */
  private runningSince = 0;
  /** A checkpoint completed while the current attempt ran. */
  private checkpointedSinceRunning = false;
  /** Asks again whether to boot threads standing by once the current attempt has run long enough. */
  private standbyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly params: JobMasterParams) {
    this.restartStrategy = createRestartStrategy(params.restartStrategy, { random: Math.random });
    const signal = params.options.signal === undefined ? this.cancellation.signal : AbortSignal.any([params.options.signal, this.cancellation.signal]);
    this.options = { ...params.options, signal };
    const threads = params.options.runtime !== "single-thread" && params.moduleUrl !== undefined;
    this.standby = threads && params.restartStrategy.kind !== "none" ? new StandbyWorkers({ jobModule: params.moduleUrl!, checkpointIo: params.checkpointing !== undefined }) : undefined;
  }

  async run(): Promise<JobResult> {
    try {
      const result = await this.runAttempts();
      this.ended("finished");
      return result;
    } catch (error) {
      this.ended(error instanceof JobCancelledError ? "cancelled" : "failed");
      throw error;
    } finally {
      await this.dropLocalCopies();
    }
  }

  /** The job ended: its tasks' local state copies (local recovery) go with it. */
  private async dropLocalCopies(): Promise<void> {
    const root = this.params.checkpointing?.localRecoveryDir;
    if (root === undefined || this.jobId === "") return;
    await rm(new LocalStatePaths(root, this.jobId).jobDir, { recursive: true, force: true }).catch(() => undefined);
  }

  private ended(state: "finished" | "failed" | "cancelled"): void {
    if (this.state.state !== state) this.enter(state);
    this.endTime = Date.now();
  }

  /** The job's status in Flink's terms, for the control API. */
  private jobStatus(): JobStatus {
    const { state, attempt } = this.state;
    if (state === "finished") return "FINISHED";
    if (state === "failed") return "FAILED";
    if (state === "cancelled") return "CANCELED";
    if (this.cancelling) return "CANCELLING";
    if (state === "running") return "RUNNING";
    return state === "deploying" && attempt === 0 ? "INITIALIZING" : "RESTARTING";
  }

  private async announceControl(): Promise<void> {
    const status = () => this.jobStatus();
    const endTime = () => this.endTime;
    const executor = () => this.checkpointing?.executor;
    const control = new JobStatusControl(this.jobId, this.params.name, Date.now(), this.params.job, {
      get status() {
        return status();
      },
      get endTime() {
        return endTime();
      },
      get executor() {
        return executor();
      },
      operatorMetrics: () => this.metrics.byOperator(),
      cancel: () => {
        if (this.endTime === undefined) this.cancelling = true;
        this.cancellation.abort();
      },
    });
    await this.options.onControl?.(control);
  }

  private async runAttempts(): Promise<JobResult> {
    const { options } = this;
    const { clock } = this.params;
    const resumedFrom = await this.initialRestorePoint();
    this.jobId = resumedFrom?.metadata.jobId ?? newJobId();
    if (this.params.checkpointing !== undefined) this.checkpointing = await this.startCheckpointing(resumedFrom);
    // After every refusal the start can meet, so a refused job prints only why.
    this.warnAboutDerivedIds();
    await this.announceControl();
    let restore = resumedFrom;
    options.observe?.(() => this.status());
    faultHooksObserve(() => this.status());
    try {
      for (let attemptNumber = 0; ; attemptNumber++) {
        this.enter("deploying", { attempt: attemptNumber, restoredCheckpointId: restore?.metadata.checkpointId });
        options.onAttempt?.({ attempt: attemptNumber, jobId: this.jobId, restoredFrom: restore?.path, restoredCheckpointId: restore?.metadata.checkpointId });
        const outcome = await this.runAttempt(attemptNumber, restore);
        if (outcome.kind === "finished") {
          this.enter("finished");
          await this.stopCheckpointing();
          return new JobResult(this.startedAt === undefined ? 0 : performance.now() - this.startedAt, this.metrics.byOperator(), this.collected.bySink, {
            jobId: this.jobId,
            restarts: this.restarts,
            checkpoints: this.checkpointing?.executor.current.stats.snapshot(),
          });
        }
        if (outcome.kind === "cancelled") {
          this.enter("cancelled");
          await this.stopCheckpointing();
          if (this.checkpointing !== undefined) await this.checkpointing.deletions.onCancel(this.params.checkpointing!.onCancel);
          throw new JobCancelledError();
        }
        this.enter("restarting", { lastFailure: outcome.error.message });
        this.checkpointing?.executor.taskFailed();
        const next = decideAfterFailure(outcome.error, this.restartStrategy, clock.now(), this.params.restartStrategy.kind !== "none");
        if (next.kind === "fail") {
          this.enter("failed");
          throw next.error;
        }
        this.restarts++;
        options.onRestart?.({ restart: this.restarts, delayMs: next.delayMs, cause: outcome.error });
        await sleepUnlessAborted(next.delayMs, options.signal);
        if (options.signal?.aborted) throw new JobCancelledError();
        restore = await this.restorePointForRestart(resumedFrom);
      }
    } finally {
      this.checkpointing?.executor.unbind();
      clearTimeout(this.standbyTimer);
      await this.standby?.close();
    }
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.params.options.onWarning?.(message);
  }

  /** Checkpointed state of operators without a uid is found again only while the job keeps its shape. */
  private warnAboutDerivedIds(): void {
    if (this.params.checkpointing === undefined || this.params.options.onWarning === undefined) return;
    const missing = statefulWithoutUid(jobOperators(this.params.job));
    if (missing.length === 0) return;
    this.params.options.onWarning(
      `${missing.length} stateful operator(s) have no uid: ${missing.map((o) => `'${o.operatorId}'`).join(", ")}. ` +
        "Their checkpointed state is matched by ids derived from their names and positions, which change when the job changes; " +
        'give each a .uid("...") before changing the job',
    );
  }

  /** The job's state changed; `changes` updates what else the status says. */
  private enter(state: JobState, changes: Partial<Pick<JobMaster["state"], "attempt" | "restoredCheckpointId" | "lastFailure">> = {}): void {
    this.state = { ...this.state, ...changes, state, since: this.params.clock.now() };
  }

  /** The job's status now (see job-status.ts). */
  private status(): JobStatusReport {
    const { state, since, attempt, restoredCheckpointId, lastFailure } = this.state;
    return {
      jobId: this.jobId,
      state,
      inStateMs: Math.max(0, this.params.clock.now() - since),
      attempt,
      restoredCheckpointId,
      lastFailure,
      checkpointing: this.checkpointing?.executor.status(),
    };
  }

  /** The checkpoint `--from` names; with none, a refusal when starting from scratch would repeat committed output. */
  private async initialRestorePoint(): Promise<RestorePoint | undefined> {
    const { checkpointing, fingerprint } = this.params;
    const { options } = this;
    if (options.from !== undefined) {
      if (options.fresh === true) throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", "a job either resumes from a checkpoint or starts fresh, not both");
      if (checkpointing === undefined) throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", "resuming from a checkpoint needs checkpointing enabled (a checkpoint interval)");
      return this.checkedRestorePoint(await findRestorePoint(options.from, checkpointing.dir, fingerprint));
    }
    if (checkpointing !== undefined && options.fresh !== true) {
      const existing = await findResumableCheckpoint(checkpointing.dir, fingerprint);
      if (existing !== undefined) {
        throw new WeirError(
          "WEIR_ERR_RESUMABLE_CHECKPOINT",
          `checkpoint ${existing.metadata.checkpointId} of this job (${existing.metadata.jobId}) is complete in '${checkpointing.dir}'; ` +
            "starting from scratch would commit its output again. Resume it with --from latest (from: \"latest\"), " +
            "or start over on purpose with --fresh (fresh: true)",
        );
      }
    }
    return undefined;
  }

  /**
   * The restore point as this job restores it, after the compatibility check (restore-plan.ts):
   * a refused restore throws before anything starts, explaining every finding.
   */
  private async checkedRestorePoint(point: RestorePoint): Promise<RestorePoint> {
    const { options } = this.params;
    const { plan } = await planJobRestore(point, this.params.job, this.params.args, {
      allowNonRestoredState: options.allowNonRestoredState,
      uidMap: new Map(Object.entries(options.mapUids ?? {})),
    });
    if (plan.refusal !== undefined) throw restoreRefusedError(plan, point.path);
    return { path: point.path, metadata: remapCheckpoint(point.metadata, plan) };
  }

  private async startCheckpointing(resumedFrom: RestorePoint | undefined): Promise<Checkpointing> {
    const settings = this.params.checkpointing!;
    const storage = new FileCheckpointStorage({ jobId: this.jobId, root: settings.dir });
    await checkWritable(storage.jobDir);
    const restoredHere = resumedFrom !== undefined && isInStorage(resumedFrom, storage);
    const plan = planStart(resumedFrom?.metadata, restoredHere, resumedFrom === undefined ? undefined : await storage.latest());
    if (plan.cleanUpFirst) await storage.retain(settings.config.retained);
    // Before any checkpoint of this run is written: shared files an earlier run left unreferenced go.
    await storage.removeUnreferencedSharedFiles(resumedFrom?.metadata).catch(() => []);
    const deletions = new CheckpointDeletions(storage);
    const executor = new DecisionExecutor(this.newCoordinator(plan.firstCheckpointId, plan.retained), {
      jobId: this.jobId,
      job: this.params.job,
      fingerprint: this.params.fingerprint,
      jobName: this.params.name,
      clock: this.params.clock,
      storage,
      deletions,
      onCheckpoint: (stats) => {
        if (stats.status === "completed" && this.attemptRunning) {
          this.checkpointedSinceRunning = true;
          this.fillStandby();
        }
        this.options.onCheckpoint?.(stats);
      },
    });
    return { storage, deletions, executor };
  }

  /** After the last attempt: no checkpoint starts; metadata writes and deletions under way finish. */
  private async stopCheckpointing(): Promise<void> {
    const checkpointing = this.checkpointing;
    if (checkpointing === undefined) return;
    checkpointing.executor.stop();
    await checkpointing.executor.persisted();
    await checkpointing.deletions.settled();
  }

  /** Checkpointing resumes for the next attempt, which restores what job-restore.ts chooses. */
  private async restorePointForRestart(resumedFrom: RestorePoint | undefined): Promise<RestorePoint | undefined> {
    const checkpointing = this.checkpointing;
    if (checkpointing === undefined) return undefined;
    const { executor, storage } = checkpointing;
    await executor.persisted();
    const restore = await restorePointForRestart(executor.current.latestCompletedCheckpoint, resumedFrom, storage);
    const next = executor.current.nextCheckpointId;
    const kept = restore !== undefined && isInStorage(restore, storage) ? [restore.metadata.checkpointId] : [];
    executor.resume(() => this.newCoordinator(next, kept));
    return restore;
  }

  private newCoordinator(firstCheckpointId: CheckpointId, retained: readonly CheckpointId[]): CheckpointCoordinator<Snapshot> {
    const tasks = this.params.job.vertices.flatMap((v) => Array.from({ length: v.parallelism }, (_, s) => taskId(v.id, s)));
    return new CheckpointCoordinator<Snapshot>({
      config: this.params.checkpointing!.config,
      tasks,
      clock: this.params.clock,
      firstCheckpointId,
      retainedCheckpoints: retained,
    });
  }

  /**
   * Boots the threads the next attempt runs on when standbyBootsNow says so. A running attempt that
   * has not run long enough by the job's clock (a timer may fire a little before it) looks again
   * when it will have: without checkpoints nothing else would call this again.
   */
  private fillStandby(): void {
    if (this.standby === undefined) return;
    const progress = { running: this.attemptRunning, ranMs: this.params.clock.now() - this.runningSince, checkpointing: this.checkpointing !== undefined, checkpointed: this.checkpointedSinceRunning };
    if (standbyBootsNow(progress)) this.standby.fill(new ExecutionPlan(this.params.job, this.params.maxWorkers).workers);
    else if (progress.running && progress.ranMs < STANDBY_AFTER_MS) this.armStandbyTimer(STANDBY_AFTER_MS - progress.ranMs);
  }

  private armStandbyTimer(delayMs: number): void {
    clearTimeout(this.standbyTimer);
    this.standbyTimer = setTimeout(() => this.fillStandby(), delayMs);
    this.standbyTimer.unref();
  }

  private runAttempt(attemptNumber: number, restore: RestorePoint | undefined): Promise<AttemptOutcome> {
    this.attemptRunning = false;
    this.checkpointedSinceRunning = false;
    clearTimeout(this.standbyTimer);
    const { params, options } = this;
    const spec: AttemptSpec = {
      definition: params.definition,
      moduleUrl: params.moduleUrl,
      overrides: params.overrides,
      args: params.args,
      maxWorkers: params.maxWorkers,
      fingerprint: params.fingerprint,
      checkpointing:
        params.checkpointing === undefined
          ? undefined
          : {
              mode: params.checkpointing.mode,
              intervalMs: params.checkpointing.config.intervalMs,
              root: params.checkpointing.dir,
              jobId: this.jobId,
              localRecoveryDir: params.checkpointing.localRecoveryDir,
              memoryThreshold: params.checkpointing.memoryThreshold,
              ...(params.checkpointing.unaligned ? { alignedCheckpointTimeoutMs: params.checkpointing.alignedCheckpointTimeoutMs } : {}),
            },
      restore: restore?.metadata,
      clock: params.clock,
      progressIntervalMs: options.progressIntervalMs ?? 2000,
      attemptNumber,
    };
    return runAttempt({
      spec,
      job: params.job,
      threads: options.runtime !== "single-thread" && params.moduleUrl !== undefined,
      options,
      executor: this.checkpointing?.executor,
      collected: this.collected,
      metrics: this.metrics,
      standby: this.standby,
      warn: (message) => this.warnOnce(message),
      onRunning: () => {
        this.startedAt ??= performance.now();
        this.enter("running");
        this.attemptRunning = true;
        this.runningSince = params.clock.now();
        if (this.standby !== undefined) this.armStandbyTimer(STANDBY_AFTER_MS);
      },
    });
  }
}
