/**
 * Checkpoint statistics for the CLI and the REST API: counts, and per checkpoint its timing,
 * size and what each task reported. Pure bookkeeping, fed by the coordinator; times are the
 * coordinator's clock.
 *
 * Invariants: the history keeps every checkpoint in progress plus at most `historySize` ended
 * ones, the newest; counts cover every checkpoint ever reported, not only those in the history;
 * `inProgress + completed + failed === triggered`.
 */
import { evictEnded } from "../../core/bounded-history.ts";
import { invalidArgument } from "../../core/errors.ts";
import type { CheckpointId } from "../storage/checkpoint-id.ts";
import type { TaskCheckpointStats } from "./acknowledgement.ts";
import type { CheckpointFailureReason } from "./failure-reason.ts";
import type { TaskId } from "./task-id.ts";
import type { SavepointType } from "./savepoint-type.ts";
import type { TriggerCause } from "./trigger-schedule.ts";

export const DEFAULT_STATS_HISTORY_SIZE = 100;

export type CheckpointStatus = "in-progress" | "completed" | "failed";

/** One task's acknowledgement of one checkpoint. */
export interface TaskAckStats extends TaskCheckpointStats {
  readonly taskId: TaskId;
  readonly ackTime: number;
  /** From the trigger to this acknowledgement. */
  readonly endToEndMs: number;
}

export interface CheckpointStats {
  readonly id: CheckpointId;
  readonly status: CheckpointStatus;
  readonly cause: TriggerCause;
  /** Present when the snapshot is a savepoint rather than a checkpoint. */
  readonly savepoint?: SavepointType;
  readonly triggerTime: number;
  /** When it completed or failed; undefined while in progress. */
  readonly endTime: number | undefined;
  /** `endTime - triggerTime`; undefined while in progress. */
  readonly durationMs: number | undefined;
  /** Sum of the bytes the acknowledging tasks wrote. */
  readonly bytes: number;
  readonly acknowledgedTasks: number;
  readonly totalTasks: number;
  /** In the order the acknowledgements arrived. */
  readonly tasks: readonly TaskAckStats[];
  /** Why it failed; undefined unless failed. */
  readonly failure: CheckpointFailureReason | undefined;
}

export interface CheckpointStatsCounts {
  readonly triggered: number;
  readonly inProgress: number;
  readonly completed: number;
  readonly failed: number;
}

export interface CheckpointStatsSnapshot {
  readonly counts: CheckpointStatsCounts;
  /** Newest first. */
  readonly history: readonly CheckpointStats[];
  readonly latestCompleted: CheckpointStats | undefined;
  readonly latestFailed: CheckpointStats | undefined;
}

interface MutableStats {
  id: CheckpointId;
  status: CheckpointStatus;
  cause: TriggerCause;
  savepoint: SavepointType | undefined;
  triggerTime: number;
  endTime: number | undefined;
  bytes: number;
  totalTasks: number;
  tasks: TaskAckStats[];
  failure: CheckpointFailureReason | undefined;
}

export class CheckpointStatsTracker {
  private readonly history = new Map<CheckpointId, MutableStats>();
  private triggered = 0;
  private inProgress = 0;
  private completed = 0;
  private failed = 0;
  private latestCompleted: MutableStats | undefined;
  private latestFailed: MutableStats | undefined;

  constructor(readonly historySize: number = DEFAULT_STATS_HISTORY_SIZE) {
    if (!Number.isSafeInteger(historySize) || historySize < 1) {
      throw invalidArgument(`checkpoint stats history size must be a whole number of at least 1, got ${String(historySize)}`);
    }
  }

  reportTriggered(id: CheckpointId, cause: TriggerCause, triggerTime: number, totalTasks: number, savepoint?: SavepointType): void {
    this.history.set(id, { id, status: "in-progress", cause, savepoint, triggerTime, endTime: undefined, bytes: 0, totalTasks, tasks: [], failure: undefined });
    this.triggered++;
    this.inProgress++;
  }

  reportAcknowledged(id: CheckpointId, taskId: TaskId, ackTime: number, stats: TaskCheckpointStats): void {
    const entry = this.inProgressEntry(id);
    if (entry === undefined) return;
    entry.tasks.push({
      taskId,
      ackTime,
      endToEndMs: ackTime - entry.triggerTime,
      syncDurationMs: stats.syncDurationMs,
      asyncDurationMs: stats.asyncDurationMs,
      alignmentDurationMs: stats.alignmentDurationMs,
      bytes: stats.bytes,
      ...(stats.inFlightBytes === undefined ? {} : { inFlightBytes: stats.inFlightBytes }),
    });
    entry.bytes += stats.bytes;
  }

  reportCompleted(id: CheckpointId, endTime: number): void {
    const entry = this.end(id, endTime, "completed");
    if (entry === undefined) return;
    this.completed++;
    this.latestCompleted = entry;
  }

  reportFailed(id: CheckpointId, endTime: number, reason: CheckpointFailureReason): void {
    const entry = this.end(id, endTime, "failed");
    if (entry === undefined) return;
    entry.failure = reason;
    this.failed++;
    this.latestFailed = entry;
  }

  counts(): CheckpointStatsCounts {
    return { triggered: this.triggered, inProgress: this.inProgress, completed: this.completed, failed: this.failed };
  }

  /** The statistics of one checkpoint, if still in the history. */
  get(id: CheckpointId): CheckpointStats | undefined {
    const entry = this.history.get(id);
    return entry === undefined ? undefined : frozen(entry);
  }

  snapshot(): CheckpointStatsSnapshot {
    return {
      counts: this.counts(),
      history: [...this.history.values()].reverse().map(frozen),
      latestCompleted: this.latestCompleted === undefined ? undefined : frozen(this.latestCompleted),
      latestFailed: this.latestFailed === undefined ? undefined : frozen(this.latestFailed),
    };
  }

  private inProgressEntry(id: CheckpointId): MutableStats | undefined {
    const entry = this.history.get(id);
    return entry?.status === "in-progress" ? entry : undefined;
  }

  private end(id: CheckpointId, endTime: number, status: "completed" | "failed"): MutableStats | undefined {
    const entry = this.inProgressEntry(id);
    if (entry === undefined) return undefined;
    entry.status = status;
    entry.endTime = endTime;
    this.inProgress--;
    this.evict();
    return entry;
  }

  private evict(): void {
    evictEnded(this.history, (entry) => entry.status !== "in-progress", this.historySize);
  }
}

function frozen(entry: MutableStats): CheckpointStats {
  return Object.freeze({
    id: entry.id,
    status: entry.status,
    cause: entry.cause,
    ...(entry.savepoint === undefined ? {} : { savepoint: entry.savepoint }),
    triggerTime: entry.triggerTime,
    endTime: entry.endTime,
    durationMs: entry.endTime === undefined ? undefined : entry.endTime - entry.triggerTime,
    bytes: entry.bytes,
    acknowledgedTasks: entry.tasks.length,
    totalTasks: entry.totalTasks,
    tasks: Object.freeze(entry.tasks.map((task) => Object.freeze({ ...task }))),
    failure: entry.failure,
  });
}
