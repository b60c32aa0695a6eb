/**
 * The JSON bodies of the control API, shaped as Flink's REST API shapes them where it has the
 * endpoint (field names in kebab-case or snake_case as Flink writes them), built from a JobControl.
 * Pure functions: the server only routes and serializes. docs/rest.md documents every field.
 */
import type { CheckpointStats, CheckpointStatsSnapshot } from "../checkpoint/coordinator/stats.ts";
import { describeFailureReason } from "../checkpoint/coordinator/failure-reason.ts";
import type { JobControl } from "../runtime/job-control.ts";
import type { SavepointOperationStatus } from "../runtime/master/savepoint-operations.ts";

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export function jobsOverview(controls: readonly JobControl[]): Json {
  return { jobs: controls.map((c) => ({ id: c.jobId, status: c.status() })) };
}

export function jobDetails(control: JobControl, now: number): Json {
  const end = control.endTime();
  return {
    jid: control.jobId,
    name: control.name,
    state: control.status(),
    "start-time": control.startTime,
    "end-time": end ?? -1,
    duration: (end ?? now) - control.startTime,
    now,
    pid: process.pid,
    vertices: control.vertices().map((v) => ({ id: v.id, name: v.name, parallelism: v.parallelism, maxParallelism: v.maxParallelism })),
    operators: control.operatorMetrics().map((op) => ({
      id: String(op.nodeId),
      name: op.name,
      metrics: { numRecordsIn: op.recordsIn, numRecordsOut: op.recordsOut },
      ...(op.connector === undefined ? {} : { connector: { ...op.connector } }),
    })),
  };
}

/** Flink's checkpoint_type: a savepoint the job stops with is synchronous. */
function checkpointType(stats: CheckpointStats): string {
  if (stats.savepoint === undefined) return "CHECKPOINT";
  return stats.savepoint === "savepoint" ? "SAVEPOINT" : "SYNC_SAVEPOINT";
}

function checkpointEntry(stats: CheckpointStats): Json {
  const latestAck = stats.tasks.reduce((latest, t) => Math.max(latest, t.ackTime), stats.triggerTime);
  return {
    id: stats.id,
    status: stats.status === "in-progress" ? "IN_PROGRESS" : stats.status === "completed" ? "COMPLETED" : "FAILED",
    is_savepoint: stats.savepoint !== undefined,
    checkpoint_type: checkpointType(stats),
    trigger_timestamp: stats.triggerTime,
    latest_ack_timestamp: latestAck,
    end_to_end_duration: stats.durationMs ?? latestAck - stats.triggerTime,
    state_size: stats.bytes,
    num_subtasks: stats.totalTasks,
    num_acknowledged_subtasks: stats.acknowledgedTasks,
    ...(stats.failure === undefined ? {} : { failure_message: describeFailureReason(stats.failure) }),
    subtasks: stats.tasks.map((t) => ({
      task: t.taskId,
      ack_timestamp: t.ackTime,
      end_to_end_duration: t.endToEndMs,
      state_size: t.bytes,
      checkpoint: { sync: t.syncDurationMs, async: t.asyncDurationMs },
      alignment: { duration: t.alignmentDurationMs },
    })),
  };
}

export function checkpointStatistics(snapshot: CheckpointStatsSnapshot | undefined): Json {
  if (snapshot === undefined) {
    return { counts: { total: 0, in_progress: 0, completed: 0, failed: 0 }, latest: { completed: null, savepoint: null, failed: null }, history: [] };
  }
  const latestSavepoint = snapshot.history.find((s) => s.status === "completed" && s.savepoint !== undefined);
  return {
    counts: { total: snapshot.counts.triggered, in_progress: snapshot.counts.inProgress, completed: snapshot.counts.completed, failed: snapshot.counts.failed },
    latest: {
      completed: snapshot.latestCompleted === undefined ? null : checkpointEntry(snapshot.latestCompleted),
      savepoint: latestSavepoint === undefined ? null : checkpointEntry(latestSavepoint),
      failed: snapshot.latestFailed === undefined ? null : checkpointEntry(snapshot.latestFailed),
    },
    history: snapshot.history.map(checkpointEntry),
  };
}

export function savepointStatus(operation: SavepointOperationStatus): Json {
  switch (operation.status) {
    case "in-progress":
      return { status: { id: "IN_PROGRESS" } };
    case "completed":
      return { status: { id: "COMPLETED" }, operation: { location: operation.location, checkpoint_id: operation.checkpointId } };
    case "failed":
      return { status: { id: "COMPLETED" }, operation: { "failure-cause": { class: "SavepointFailure", "stack-trace": operation.cause } } };
  }
}
