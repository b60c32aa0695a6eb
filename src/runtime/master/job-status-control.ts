/**
 * The JobControl of a job the JobMaster runs: reads the master's status and checkpoint
 * statistics, and turns savepoint, stop and cancel requests into savepoint requests to the
 * DecisionExecutor, followed by trigger id in SavepointOperations.
 */
import { resolve } from "node:path";
import type { CheckpointStatsSnapshot } from "../../checkpoint/coordinator/stats.ts";
import type { JobGraph } from "../../graph/job-graph.ts";
import type { JobControl, JobStatus, JobVertexInfo, SavepointTrigger } from "../job-control.ts";
import type { OperatorMetrics } from "../metrics.ts";
import type { DecisionExecutor, SavepointRequest } from "./decision-executor.ts";
import { SavepointOperations, type SavepointOperationStatus } from "./savepoint-operations.ts";

/** Where savepoints go unless a request names a directory, relative to the job's working directory. */
export const DEFAULT_SAVEPOINT_DIR = "./.weir/savepoints";

export interface JobStatusSource {
  readonly status: JobStatus;
  readonly endTime: number | undefined;
  /** Undefined when the job takes no checkpoints. */
  readonly executor: DecisionExecutor | undefined;
  operatorMetrics(): readonly OperatorMetrics[];
  cancel(): void;
}

export class JobStatusControl implements JobControl {
  readonly defaultSavepointDir = resolve(DEFAULT_SAVEPOINT_DIR);
  private readonly operations = new SavepointOperations();
  private cancelled = false;

  constructor(
    readonly jobId: string,
    readonly name: string,
    readonly startTime: number,
    private readonly job: JobGraph,
    private readonly source: JobStatusSource,
  ) {}

  status(): JobStatus {
    return this.source.status;
  }

  endTime(): number | undefined {
    return this.source.endTime;
  }

  vertices(): readonly JobVertexInfo[] {
    return this.job.vertices.map((v) => ({ id: String(v.id), name: v.name, parallelism: v.parallelism, maxParallelism: this.job.maxParallelism }));
  }

  operatorMetrics(): readonly OperatorMetrics[] {
    return this.source.operatorMetrics();
  }

  checkpointStats(): CheckpointStatsSnapshot | undefined {
    return this.source.executor?.current.stats.snapshot();
  }

  triggerSavepoint(targetDir: string): SavepointTrigger {
    return this.request(targetDir, "savepoint");
  }

  stopWithSavepoint(targetDir: string, drain: boolean): SavepointTrigger {
    return this.request(targetDir, drain ? "stop-drain" : "stop");
  }

  savepointStatus(triggerId: string): SavepointOperationStatus | undefined {
    return this.operations.get(triggerId);
  }

  cancel(): void {
    this.cancelled = true;
    this.source.cancel();
  }

  get unreadSavepoints(): number {
    return this.operations.unreadCount;
  }

  get cancelRequested(): boolean {
    return this.cancelled;
  }

  private request(targetDir: string, mode: SavepointRequest["mode"]): SavepointTrigger {
    const executor = this.source.executor;
    if (executor === undefined) {
      return { ok: false, reason: "the job takes no checkpoints, so it cannot take savepoints: run it with --checkpoint-interval" };
    }
    const triggerId = this.operations.start();
    const outcome = executor.requestSavepoint({ targetDir: resolve(targetDir), mode, settle: (result) => this.operations.settle(triggerId, result) });
    if (outcome.ok) return { ok: true, triggerId };
    this.operations.settle(triggerId, { ok: false, cause: outcome.reason });
    return { ok: false, reason: outcome.reason };
  }
}
