/**
 * The checkpoint coordinator: decides when checkpoints start, when they complete or are aborted,
 * and when too many failures fail the job. A pure state machine: each fact (a method) reads the
 * injected clock, updates the coordinator, and returns the decisions the I/O edge carries out in
 * order. It does no I/O and sets no timer; `nextWakeUp()` says when `tick()` is next due.
 *
 * Phases: running ──taskFailed / fail-job──▶ suspended ──resume──▶ running; any ──stop──▶ stopped
 * (final); running ──final checkpoint completed──▶ stopped. Only a running coordinator triggers. Entering suspended or stopped aborts every
 * checkpoint still collecting acknowledgements and drops a queued manual request; checkpoints
 * persisting their metadata go on to complete (see PersistingMetadata).
 *
 * Each fact first expires the checkpoints whose timeout has passed (whichever fact observes the
 * time first), then applies itself, then triggers a checkpoint if one is due and a slot is free.
 *
 * Driving it, at the I/O edge: after every call, carry out the returned decisions in order, then
 * set one timer for `nextWakeUp()` that calls `tick()`. `trigger` → sources snapshot and emit the
 * barrier; `persist` → write the metadata, then report `persisted(n)` or `persistFailed(n, e)`;
 * `complete` / `abort` → notify the tasks; `discard` → delete the checkpoint; `fail-job` → fail the
 * job and ask the restart strategy, then `resume()` once the tasks run again, or `stop()`.
 * Acknowledgements and declines from the tasks come in as `acknowledge` and `decline`.
 *
 * Invariants:
 * - checkpoint ids strictly increase from `firstCheckpointId` and are never reused;
 * - at most `maxConcurrent` checkpoints are pending (collecting or persisting);
 * - every triggered checkpoint ends at most once: one `complete` or one `abort`;
 * - `complete n` follows `persist n` and `persisted(n)`; it aborts every older pending checkpoint;
 * - only expired, declined and persist-failed checkpoints count as failures, and only while running;
 * - after `requestFinalCheckpoint()`, at most one final checkpoint is pending; one aborted while
 *   running is retried on the periodic schedule (interval after its trigger, min pause after its
 *   end), never at once; the first to complete stops the coordinator;
 * - savepoints (see SavepointType) are forced: they start at once whatever the interval, the
 *   minimum pause and `maxConcurrent` say, and take no slot from checkpoints; they are never
 *   retained, never subsume nor are subsumed, and their failures are not counted. A completed
 *   `savepoint-suspend` stops the coordinator, as a final checkpoint does;
 * - while a `savepoint-suspend` is pending, no checkpoint starts (Flink stops its periodic scheduler
 *   for a stop-with-savepoint): the stop's savepoint is the newest state of the job, and the tasks
 *   take no input after its barrier. Should it fail, the schedule goes on.
 */
import { internalError, invalidArgument } from "../../core/errors.ts";
import type { Clock } from "../../core/clock.ts";
import { checkpointId as toCheckpointId, type CheckpointId } from "../storage/checkpoint-id.ts";
import type { AcknowledgeOutcome, TaskCheckpointStats } from "./acknowledgement.ts";
import { checkpointConfig, type CheckpointConfig, type CheckpointConfigOptions } from "./config.ts";
import type { CoordinatorDecision, TriggerRequestOutcome } from "./decisions.ts";
import { ConsecutiveFailureCounter } from "./failure-counter.ts";
import { describeFailureReason, type CheckpointFailureReason } from "./failure-reason.ts";
import { CollectingAcks } from "./pending/collecting-acks.ts";
import { viewOf, type PendingCheckpoint, type PendingCheckpointView } from "./pending/pending-checkpoint.ts";
import type { PersistingMetadata } from "./pending/persisting-metadata.ts";
import { CheckpointRetention } from "./retention.ts";
import { CheckpointStatsTracker } from "./stats.ts";
import type { TaskId } from "./task-id.ts";
import { TriggerSchedule, type TriggerCause } from "./trigger-schedule.ts";
import { stopsJob, type SavepointType } from "./savepoint-type.ts";

export type CoordinatorPhase = "running" | "suspended" | "stopped";

export interface CheckpointCoordinatorOptions {
  readonly config: CheckpointConfigOptions;
  /** The tasks that must acknowledge every checkpoint; at least one, no repeats. */
  readonly tasks: Iterable<TaskId>;
  /** Must not go backwards. */
  readonly clock: Clock;
  /** Id of the first checkpoint this coordinator triggers: 1 for a new job, latest + 1 after a restore. */
  readonly firstCheckpointId?: CheckpointId;
  /** Completed checkpoints already kept (found at a restore), all older than `firstCheckpointId`. */
  readonly retainedCheckpoints?: readonly CheckpointId[];
  /** Where statistics go; a fresh tracker with the default history size if omitted. */
  readonly stats?: CheckpointStatsTracker;
}

export interface TriggerRequestOptions {
  /** When `maxConcurrent` checkpoints are in progress: wait for a free slot (default) or refuse. */
  readonly whenBusy?: "queue" | "reject";
}

type Decisions<S> = CoordinatorDecision<S>[];

export class CheckpointCoordinator<S = unknown> {
  readonly config: CheckpointConfig;
  readonly stats: CheckpointStatsTracker;
  private readonly clock: Clock;
  private readonly tasks: ReadonlySet<TaskId>;
  private readonly firstId: CheckpointId;
  private nextId: CheckpointId;
  private currentPhase: CoordinatorPhase = "running";
  /** By id; ids are inserted in increasing order, so iteration is oldest first. */
  private readonly pending = new Map<CheckpointId, PendingCheckpoint<S>>();
  private readonly schedule: TriggerSchedule;
  private readonly failures: ConsecutiveFailureCounter;
  private readonly retention: CheckpointRetention;
  /** Set once the job's input ended: checkpoints from this id on are final. */
  private finalFrom: CheckpointId | undefined;
  /** What the final checkpoint is: a checkpoint, or the savepoint a drained stop ends with. */
  private finalType: "savepoint-terminate" | undefined;
  /** The pending savepoints, by id; a pending id not here is a checkpoint. */
  private readonly savepoints = new Map<CheckpointId, SavepointType>();

  constructor(options: CheckpointCoordinatorOptions) {
    this.config = checkpointConfig(options.config);
    this.clock = options.clock;
    const tasks = [...options.tasks];
    this.tasks = new Set(tasks);
    if (this.tasks.size === 0) throw invalidArgument("a checkpoint coordinator needs at least one task to acknowledge");
    if (this.tasks.size !== tasks.length) throw invalidArgument("a checkpoint coordinator's tasks must not repeat");
    this.firstId = toCheckpointId(options.firstCheckpointId ?? 1);
    this.nextId = this.firstId;
    const retained = options.retainedCheckpoints ?? [];
    for (const id of retained) {
      if (toCheckpointId(id) >= this.firstId) {
        throw invalidArgument(`retained checkpoint ${id} is not older than the first checkpoint id ${this.firstId}`);
      }
    }
    this.retention = new CheckpointRetention(this.config.retained, retained);
    this.stats = options.stats ?? new CheckpointStatsTracker();
    this.schedule = new TriggerSchedule(this.config.intervalMs, this.config.minPauseMs, this.clock.now());
    this.failures = new ConsecutiveFailureCounter(this.config.tolerableFailures);
  }

  get phase(): CoordinatorPhase {
    return this.currentPhase;
  }

  /** The id the next triggered checkpoint gets. */
  get nextCheckpointId(): CheckpointId {
    return this.nextId;
  }

  /** Completed checkpoints still retained, oldest first. */
  get retainedCheckpoints(): readonly CheckpointId[] {
    return this.retention.retainedIds;
  }

  get latestCompletedCheckpoint(): CheckpointId | undefined {
    return this.retention.latest;
  }

  /** Failures counted toward `tolerableFailures` since the last completion. */
  get consecutiveFailures(): number {
    return this.failures.consecutive;
  }

  /** Pending checkpoints, oldest first. */
  pendingCheckpoints(): PendingCheckpointView[] {
    return [...this.pending.values()].map((p) => viewOf(p, this.isFinal(p.id)));
  }

  /**
   * When `tick()` should next run: the earliest timeout of a checkpoint collecting
   * acknowledgements, or the next periodic trigger if a slot is free. May lie in the past (call
   * `tick()` at once); undefined when only a fact other than time can change anything.
   */
  nextWakeUp(): number | undefined {
    let wakeUp: number | undefined;
    for (const pending of this.pending.values()) {
      if (pending.state === "collecting-acks") wakeUp = earliest(wakeUp, pending.deadline);
    }
    if (this.currentPhase === "running" && this.slotFree() && this.schedule.waitsForTime) {
      wakeUp = earliest(wakeUp, this.schedule.periodicDueAt());
    }
    return wakeUp;
  }

  /** Time passed: expire overdue checkpoints, trigger a due one. */
  tick(): Decisions<S> {
    return this.fact(() => {});
  }

  /**
   * Starts a checkpoint now (a manual or a final checkpoint), ignoring the interval and the
   * minimum pause but not `maxConcurrent`: when no slot is free the request waits for one
   * (or is refused, with `whenBusy: "reject"`).
   */
  triggerNow(options: TriggerRequestOptions = {}): { outcome: TriggerRequestOutcome; decisions: Decisions<S> } {
    let outcome: TriggerRequestOutcome | undefined;
    const decisions = this.fact((now, out) => {
      if (this.currentPhase !== "running") {
        outcome = { kind: "rejected", reason: { kind: "not-running", phase: this.currentPhase } };
      } else if (this.stopSavepointPending()) {
        outcome = { kind: "rejected", reason: { kind: "job-stopping" } };
      } else if (this.slotFree()) {
        outcome = { kind: "triggered", checkpointId: this.trigger(now, "manual", out) };
      } else if (options.whenBusy === "reject") {
        outcome = { kind: "rejected", reason: { kind: "too-many-concurrent", maxConcurrent: this.config.maxConcurrent } };
      } else {
        this.schedule.requestManual();
        outcome = { kind: "queued" };
      }
    });
    return { outcome: outcome!, decisions };
  }

  /**
   * Starts a savepoint now (see SavepointType), forced past the interval, the minimum pause and
   * `maxConcurrent`. Refused unless running, and once the job is stopping (a stop savepoint is
   * pending or the final checkpoint was requested).
   */
  triggerSavepoint(type: "savepoint" | "savepoint-suspend"): { outcome: TriggerRequestOutcome; decisions: Decisions<S> } {
    let outcome: TriggerRequestOutcome | undefined;
    const decisions = this.fact((now, out) => {
      if (this.currentPhase !== "running") outcome = { kind: "rejected", reason: { kind: "not-running", phase: this.currentPhase } };
      else if (this.stopping) outcome = { kind: "rejected", reason: { kind: "job-stopping" } };
      else outcome = { kind: "triggered", checkpointId: this.trigger(now, "manual", out, type) };
    });
    return { outcome: outcome!, decisions };
  }

  /** Whether the job is on its way to stop: a stop savepoint is pending or the final checkpoint was requested. */
  get stopping(): boolean {
    return this.finalFrom !== undefined || this.stopSavepointPending();
  }

  private stopSavepointPending(): boolean {
    return [...this.savepoints.values()].some((t) => t === "savepoint-suspend");
  }

  /** Task `taskId` has snapshotted its part of checkpoint `checkpointId`. */
  acknowledge(
    checkpointId: CheckpointId,
    taskId: TaskId,
    stats: TaskCheckpointStats,
    snapshot?: S,
  ): { outcome: AcknowledgeOutcome; decisions: Decisions<S> } {
    let outcome: AcknowledgeOutcome = { kind: "unknown" };
    const decisions = this.fact((now, out) => {
      const pending = this.pending.get(checkpointId);
      if (pending === undefined) {
        outcome = { kind: this.wasTriggered(checkpointId) ? "discarded" : "unknown" };
        return;
      }
      const { outcome: kind, next } = pending.acknowledge({ taskId, ackTime: now, stats, snapshot });
      outcome = { kind };
      if (kind === "success") this.stats.reportAcknowledged(checkpointId, taskId, now, stats);
      if (next !== pending && next.state === "persisting-metadata") {
        this.pending.set(checkpointId, next);
        out.push({ kind: "persist", checkpointId, timestamp: next.triggerTime, acknowledgements: next.acknowledgements });
      }
    });
    return { outcome, decisions };
  }

  /** Task `taskId` could not snapshot checkpoint `checkpointId`; ignored unless it is collecting acknowledgements from that task. */
  decline(checkpointId: CheckpointId, taskId: TaskId, reason: string): Decisions<S> {
    return this.fact((now, out) => {
      const pending = this.pending.get(checkpointId);
      if (pending?.state !== "collecting-acks" || !pending.tasks.has(taskId)) return;
      this.abort(pending, { kind: "declined", taskId, message: reason }, now, out);
    });
  }

  /** The metadata of checkpoint `checkpointId` is durable; ignored if the checkpoint ended meanwhile. */
  persisted(checkpointId: CheckpointId): Decisions<S> {
    return this.fact((now, out) => {
      const pending = this.persisting(checkpointId, "persisted");
      if (pending !== undefined) this.complete(pending, now, out);
    });
  }

  /** Writing the metadata of checkpoint `checkpointId` failed; ignored if the checkpoint ended meanwhile. */
  persistFailed(checkpointId: CheckpointId, error: unknown): Decisions<S> {
    return this.fact((now, out) => {
      const pending = this.persisting(checkpointId, "persistFailed");
      if (pending !== undefined) this.abort(pending, { kind: "persist-failed", message: messageOf(error) }, now, out);
    });
  }

  /** A task failed: abort what is collecting acknowledgements and suspend until `resume()`. */
  taskFailed(): Decisions<S> {
    return this.fact((now, out) => {
      if (this.currentPhase === "running") this.leaveRunning("suspended", { kind: "task-failure" }, now, out);
    });
  }

  /**
   * The tasks run again (after a restart): periodic checkpoints resume one interval from now, and a
   * final checkpoint requested before is forgotten (the restarted sources end their input again).
   */
  resume(): Decisions<S> {
    if (this.currentPhase === "stopped") throw internalError("a stopped checkpoint coordinator cannot resume");
    return this.fact((now) => {
      if (this.currentPhase !== "suspended") return;
      this.currentPhase = "running";
      this.finalFrom = undefined;
      this.finalType = undefined;
      this.schedule.restart(now);
    });
  }

  /**
   * Every source reported the end of its input: periodic checkpoints stop and the final checkpoint
   * starts now, or as soon as a slot is free. Its `complete` decision is marked `final`. Asking
   * again while a final checkpoint is requested changes nothing. With `savepoint-terminate` (the
   * input ended because the job is stopped with drain) the final checkpoint, and every retry of
   * it, is that savepoint, forced like every savepoint.
   */
  requestFinalCheckpoint(type?: "savepoint-terminate"): Decisions<S> {
    return this.fact((now, out) => {
      if (this.currentPhase !== "running" || this.finalFrom !== undefined) return;
      this.finalFrom = this.nextId;
      this.finalType = type;
      this.schedule.stopPeriodic();
      if (type !== undefined || this.slotFree()) this.trigger(now, "manual", out);
      else this.schedule.requestManual();
    });
  }

  /** Whether the final checkpoint was requested (and checkpointing has not resumed since). */
  get finalCheckpointRequested(): boolean {
    return this.finalFrom !== undefined;
  }

  /** The job is stopping: abort what is collecting acknowledgements and never trigger again. */
  stop(): Decisions<S> {
    return this.fact((now, out) => {
      if (this.currentPhase !== "stopped") this.leaveRunning("stopped", { kind: "job-stopping" }, now, out);
    });
  }

  private fact(apply: (now: number, out: Decisions<S>) => void): Decisions<S> {
    const now = this.clock.now();
    const out: Decisions<S> = [];
    this.expireOverdue(now, out);
    apply(now, out);
    this.triggerIfDue(now, out);
    return out;
  }

  private expireOverdue(now: number, out: Decisions<S>): void {
    for (const pending of [...this.pending.values()]) {
      if (pending.state === "collecting-acks" && pending.isOverdue(now) && this.pending.get(pending.id) === pending) {
        this.abort(pending, { kind: "expired", timeoutMs: this.config.timeoutMs }, now, out);
      }
    }
  }

  private triggerIfDue(now: number, out: Decisions<S>): void {
    if (this.currentPhase !== "running" || (this.finalType === undefined && !this.slotFree()) || this.stopSavepointPending()) return;
    const cause = this.schedule.due(now);
    if (cause !== undefined) this.trigger(now, cause, out);
  }

  /** Whether a checkpoint may start: fewer than `maxConcurrent` checkpoints pending, savepoints not counted. */
  private slotFree(): boolean {
    return this.pending.size - this.savepoints.size < this.config.maxConcurrent;
  }

  private trigger(now: number, cause: TriggerCause, out: Decisions<S>, requested?: SavepointType): CheckpointId {
    const id = this.nextId;
    const savepoint = requested ?? (this.isFinal(id) ? this.finalType : undefined);
    this.nextId = toCheckpointId(id + 1);
    this.pending.set(id, new CollectingAcks<S>(id, cause, now, now + this.config.timeoutMs, this.tasks));
    if (savepoint !== undefined) this.savepoints.set(id, savepoint);
    // A savepoint taken while the job runs leaves the periodic schedule alone.
    if (requested === undefined) this.schedule.onTriggered(now);
    this.stats.reportTriggered(id, cause, now, this.tasks.size, savepoint);
    out.push({ kind: "trigger", checkpointId: id, timestamp: now, cause, ...(savepoint === undefined ? {} : { savepoint }) });
    return id;
  }

  private complete(pending: PersistingMetadata<S>, now: number, out: Decisions<S>): void {
    const savepoint = this.savepoints.get(pending.id);
    this.pending.delete(pending.id);
    this.savepoints.delete(pending.id);
    this.stats.reportCompleted(pending.id, now);
    const final = this.isFinal(pending.id) || stopsJob(savepoint);
    out.push({ kind: "complete", checkpointId: pending.id, final, ...(savepoint === undefined ? {} : { savepoint }) });
    if (savepoint === "savepoint") return;
    this.schedule.onEnded(now);
    this.failures.onSuccess(pending.id);
    for (const older of [...this.pending.values()]) {
      if (older.id < pending.id && !this.savepoints.has(older.id)) this.abort(older, { kind: "subsumed", by: pending.id }, now, out);
    }
    if (savepoint === undefined) for (const discarded of this.retention.add(pending.id)) out.push({ kind: "discard", checkpointId: discarded });
    // The job's output is committed: no checkpoint may start while the tasks close.
    if (final && this.currentPhase !== "stopped") this.leaveRunning("stopped", { kind: "job-stopping" }, now, out);
  }

  private isFinal(id: CheckpointId): boolean {
    return this.finalFrom !== undefined && id >= this.finalFrom;
  }

  private abort(pending: PendingCheckpoint<S>, reason: CheckpointFailureReason, now: number, out: Decisions<S>): void {
    const savepoint = this.savepoints.get(pending.id);
    const requested = savepoint === "savepoint" || savepoint === "savepoint-suspend";
    this.pending.delete(pending.id);
    this.savepoints.delete(pending.id);
    if (!requested) this.schedule.onEnded(now);
    this.stats.reportFailed(pending.id, now, reason);
    out.push({ kind: "abort", checkpointId: pending.id, reason, ...(savepoint === undefined ? {} : { savepoint }) });
    if (this.currentPhase !== "running" || requested) return;
    if (this.isFinal(pending.id) && ![...this.pending.keys()].some((id) => this.isFinal(id))) this.schedule.retryFinal();
    const count = this.failures.onFailure(pending.id, reason);
    if (count.kind !== "exceeded") return;
    const tolerable = this.config.tolerableFailures;
    out.push({
      kind: "fail-job",
      reason:
        `checkpoint ${pending.id} failed (${describeFailureReason(reason)}): ` +
        `${count.consecutive} checkpoint failure(s) in a row, more than the ${tolerable} tolerated`,
      consecutiveFailures: count.consecutive,
      tolerableFailures: tolerable,
      lastFailure: { checkpointId: pending.id, reason },
    });
    this.leaveRunning("suspended", { kind: "job-failing" }, now, out);
  }

  private leaveRunning(phase: "suspended" | "stopped", reason: CheckpointFailureReason, now: number, out: Decisions<S>): void {
    this.currentPhase = phase;
    for (const pending of [...this.pending.values()]) {
      if (pending.state === "collecting-acks") this.abort(pending, reason, now, out);
    }
    if (this.schedule.dropManual()) out.push({ kind: "drop-request", reason });
  }

  /** The persisting checkpoint `id`, undefined if it has ended; a report about any other checkpoint is a bug at the edge. */
  private persisting(id: CheckpointId, fact: string): PersistingMetadata<S> | undefined {
    const pending = this.pending.get(id);
    if (pending?.state === "persisting-metadata") return pending;
    if (pending === undefined && this.wasTriggered(id)) return undefined;
    throw internalError(`${fact}(${id}) for a checkpoint that was not asked to persist (${pending?.state ?? "never triggered"})`);
  }

  private wasTriggered(id: CheckpointId): boolean {
    return id >= this.firstId && id < this.nextId;
  }
}

function earliest(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
