/**
 * Carries out the checkpoint coordinator's decisions for the attempt that is running: triggers go
 * to its tasks (held until its tasks are open), metadata is written and the outcome reported back,
 * completions and aborts are announced to the tasks and to the run's listener, discards go to the
 * deletions, and a `fail-job` fails the attempt. It also feeds the coordinator the facts that come
 * from the attempt (acknowledgements, declines, the end of every source's input) and time (one
 * timer, set for the coordinator's next wake-up after each batch of decisions).
 *
 * A final checkpoint completing tells the attempt to finish: its tasks close once their sinks
 * committed everything.
 *
 * Savepoints (see SavepointType) are asked for with `requestSavepoint`: the tasks write their
 * state as for a checkpoint, and the metadata step writes the savepoint into its own directory
 * instead (see CheckpointStorage.writeSavepoint). A savepoint taken while the job runs is not
 * announced to the tasks; a stop savepoint is, and then the attempt finishes. Stop with drain
 * first has every source end its input; the final checkpoint that follows is the savepoint.
 */
import type { BarrierKind } from "../barriers/barrier.ts";
import type { CheckpointCoordinator } from "../../checkpoint/coordinator/coordinator.ts";
import type { CoordinatorDecision, PersistDecision } from "../../checkpoint/coordinator/decisions.ts";
import type { CheckpointStats } from "../../checkpoint/coordinator/stats.ts";
import { taskId, type TaskId } from "../../checkpoint/coordinator/task-id.ts";
import { checkpointId as toCheckpointId } from "../../checkpoint/storage/checkpoint-id.ts";
import type { CheckpointStorage } from "../../checkpoint/storage/checkpoint-storage.ts";
import { timerDelay, type Clock } from "../../core/clock.ts";
import { WeirError } from "../../core/errors.ts";
import type { JobGraph } from "../../graph/job-graph.ts";
import type { OperatorStateHandle, TaskSnapshotAck } from "../task-checkpointing.ts";
import type { Attempt } from "./attempt.ts";
import { buildCheckpointMetadata, IN_FLIGHT_BYTES_PROPERTY } from "./checkpoint-metadata-builder.ts";
import type { CheckpointDeletions } from "./job-retention.ts";
import { ENUMERATORS_PROPERTY, type SourceCoordinators } from "./source-coordinator.ts";
import type { JsonValue } from "../../checkpoint/storage/checkpoint-metadata.ts";
import type { CheckpointingStatus } from "../job-status.ts";
import { describeFailureReason } from "../../checkpoint/coordinator/failure-reason.ts";
import type { SavepointResult } from "./savepoint-operations.ts";

/** The metadata property that marks a savepoint, with how it was taken ("savepoint", "stop" or "stop-drain"). */
export const SAVEPOINT_PROPERTY = "savepoint";

/** A savepoint asked of the running job: where to write it, and who hears how it ended. */
export interface SavepointRequest {
  /** The directory the savepoint directory is made in. */
  readonly targetDir: string;
  /**
   * "savepoint": the job goes on; "stop": the sources stop and the job finishes once the savepoint
   * completed (sinks commit first); "stop-drain": the sources end their input first, so every
   * window fires, then the same.
   */
  readonly mode: "savepoint" | "stop" | "stop-drain";
  /** Called once: with the savepoint directory, or why there is none. */
  readonly settle: (result: SavepointResult) => void;
}

export type SavepointRequestOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export type Snapshot = readonly OperatorStateHandle[];

/** Tasks name themselves "<vertex>:<subtask>", the coordinator's task id format. */
const toTaskId = (id: string): TaskId => id as TaskId;

export interface DecisionExecutorParams {
  readonly jobId: string;
  readonly job: JobGraph;
  readonly fingerprint: string;
  /** How the job is named (its module), recorded in checkpoint metadata for tools that read it. */
  readonly jobName?: string;
  readonly clock: Clock;
  readonly storage: Pick<CheckpointStorage, "writeMetadata" | "writeSavepoint">;
  readonly deletions: CheckpointDeletions;
  readonly onCheckpoint: ((stats: CheckpointStats) => void) | undefined;
}

/** The running attempt, as the executor sees it. */
interface Bound {
  readonly attempt: Attempt;
  readonly fail: (error: Error) => void;
  readonly sources: SourceCoordinators | undefined;
}

export class DecisionExecutor {
  private bound: Bound | undefined;
  /** Whether the bound attempt's tasks are open; triggers wait for it. */
  private ready = false;
  /** Triggers decided while no attempt's tasks were open; sent when some are. */
  private waiting: { checkpointId: number; timestamp: number; kind: BarrierKind }[] = [];
  private tickTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly sourceTasks: ReadonlySet<string>;
  private endedSources = new Set<string>();
  /** The bound attempt's final checkpoint completed and its tasks were told to finish. */
  private finishing = false;
  /** Each task's name, "<vertex name> (<subtask>/<parallelism>)", by task id. */
  private readonly taskNames = new Map<string, string>();
  /** The split enumerators' states taken when each pending checkpoint was triggered, for its metadata. */
  private readonly enumeratorStates = new Map<number, { [operatorId: string]: JsonValue }>();
  /** Metadata writes under way: a restart waits for them, so it restores from the newest checkpoint. */
  private readonly persisting = new Set<Promise<void>>();
  /** Savepoints pending, by checkpoint id. */
  private readonly savepointRequests = new Map<number, SavepointRequest>();
  /** Where each savepoint whose metadata is written went, until it completes. */
  private readonly savepointLocations = new Map<number, string>();
  /** A stop with drain whose sources are ending their input; its savepoint is the final checkpoint. */
  private drainRequest: SavepointRequest | undefined;

  constructor(
    private coordinator: CheckpointCoordinator<Snapshot>,
    private readonly params: DecisionExecutorParams,
  ) {
    const sources = new Set<string>();
    for (const v of params.job.vertices) {
      for (let s = 0; s < v.parallelism; s++) {
        this.taskNames.set(taskId(v.id, s), `${v.name} (${s + 1}/${v.parallelism})`);
        if (v.inputs.length === 0) sources.add(taskId(v.id, s));
      }
    }
    this.sourceTasks = sources;
  }

  get current(): CheckpointCoordinator<Snapshot> {
    return this.coordinator;
  }

  /** An attempt was deployed; its tasks are not open yet. */
  bind(attempt: Attempt, fail: (error: Error) => void, sources?: SourceCoordinators): void {
    this.bound = { attempt, fail, sources };
    this.ready = false;
    this.endedSources = new Set();
    this.finishing = false;
  }

  /** Where checkpointing stands, for the job's status. */
  status(): CheckpointingStatus {
    const now = this.params.clock.now();
    const coordinator = this.coordinator;
    return {
      phase: coordinator.phase,
      lastCompletedCheckpoint: coordinator.latestCompletedCheckpoint,
      pending: coordinator.pendingCheckpoints().map((p) => ({
        id: p.id,
        state: p.state,
        final: p.final,
        ageMs: Math.max(0, now - p.triggerTime),
        awaitedTasks: p.awaitedTasks.map((t) => this.taskNames.get(t) ?? t),
      })),
      sourcesEnded: this.endedSources.size,
      sourceTasks: this.sourceTasks.size,
      finalCheckpointCompleted: this.finishing,
    };
  }

  /** The bound attempt's tasks are open and running: send the triggers held for it. */
  attemptReady(): void {
    const bound = this.bound;
    if (bound === undefined) return;
    this.ready = true;
    for (const t of this.waiting.splice(0)) this.trigger(bound, t.checkpointId, t.timestamp, t.kind);
    this.scheduleTick();
  }

  /** The bound attempt ended: later facts from it are ignored, and nothing is sent to it. */
  unbind(): void {
    this.bound = undefined;
    this.ready = false;
    this.waiting = [];
    this.clearTimer();
  }

  acknowledge(taskId: string, ack: TaskSnapshotAck): void {
    this.apply(this.coordinator.acknowledge(toCheckpointId(ack.checkpointId), toTaskId(taskId), ack.stats, ack.operators).decisions);
  }

  decline(taskId: string, checkpointId: number, reason: string): void {
    this.apply(this.coordinator.decline(toCheckpointId(checkpointId), toTaskId(taskId), reason));
  }

  /** A task reported the end of its input; once every source task did, the final checkpoint is due. */
  endOfData(taskId: string): void {
    if (!this.sourceTasks.has(taskId)) return;
    this.endedSources.add(taskId);
    if (this.endedSources.size === this.sourceTasks.size) {
      this.apply(this.coordinator.requestFinalCheckpoint(this.drainRequest === undefined ? undefined : "savepoint-terminate"));
    }
  }

  /** Starts the savepoint `request` asks for, or says why the job cannot take it now. */
  requestSavepoint(request: SavepointRequest): SavepointRequestOutcome {
    const bound = this.bound;
    if (bound === undefined || !this.ready) return { ok: false, reason: "the job is not running: its tasks are starting, restarting or finishing" };
    if (this.drainRequest !== undefined || this.coordinator.stopping) return { ok: false, reason: "the job is already stopping" };
    if (request.mode === "stop-drain") {
      if (this.coordinator.phase !== "running") return { ok: false, reason: "the job is not running" };
      this.drainRequest = request;
      bound.attempt.drainSources();
      return { ok: true };
    }
    const { outcome, decisions } = this.coordinator.triggerSavepoint(request.mode === "stop" ? "savepoint-suspend" : "savepoint");
    if (outcome.kind === "triggered") this.savepointRequests.set(outcome.checkpointId, request);
    this.apply(decisions);
    if (outcome.kind === "rejected") return { ok: false, reason: describeFailureReason(outcome.reason) };
    return { ok: true };
  }

  /** A task failed: checkpoints in flight are aborted and checkpointing is suspended. */
  taskFailed(): void {
    this.apply(this.coordinator.taskFailed());
    this.settleDrain("a task failed while the job was stopping");
  }

  /**
   * Checkpointing goes on for a restarted attempt. A coordinator stopped after the final
   * checkpoint (the failure came while the tasks closed) is replaced by `fresh`.
   */
  resume(fresh: () => CheckpointCoordinator<Snapshot>): void {
    if (this.coordinator.phase === "stopped") this.coordinator = fresh();
    else this.apply(this.coordinator.resume());
  }

  /** No checkpoint starts any more; those in flight are aborted. */
  stop(): void {
    if (this.coordinator.phase !== "stopped") this.apply(this.coordinator.stop());
    this.clearTimer();
    this.settleDrain("the job ended before its savepoint completed");
  }

  private settleDrain(cause: string): void {
    const request = this.drainRequest;
    this.drainRequest = undefined;
    request?.settle({ ok: false, cause });
  }

  /** Every metadata write under way is done. */
  async persisted(): Promise<void> {
    await Promise.all(this.persisting);
  }

  /** Carries out the coordinator's decisions, in order, then sets the timer for its next wake-up. */
  private apply(decisions: readonly CoordinatorDecision<Snapshot>[]): void {
    const bound = this.bound;
    for (const d of decisions) {
      switch (d.kind) {
        case "trigger": {
          if (d.savepoint === "savepoint-terminate" && this.drainRequest !== undefined) this.savepointRequests.set(d.checkpointId, this.drainRequest);
          const kind: BarrierKind = d.savepoint === undefined ? "checkpoint" : d.savepoint === "savepoint-suspend" ? "savepoint-suspend" : "savepoint";
          if (bound !== undefined && this.ready) this.trigger(bound, d.checkpointId, d.timestamp, kind);
          else this.waiting.push({ checkpointId: d.checkpointId, timestamp: d.timestamp, kind });
          break;
        }
        case "persist": {
          const write = this.persist(d);
          this.persisting.add(write);
          void write.finally(() => this.persisting.delete(write));
          break;
        }
        case "complete": {
          // A savepoint taken while the job runs commits nothing: see SavepointType.
          if (d.savepoint !== "savepoint") {
            bound?.sources?.notifyCheckpointComplete(d.checkpointId);
            bound?.attempt.notifyCheckpointComplete(d.checkpointId);
          }
          this.report(d.checkpointId);
          const request = this.savepointRequests.get(d.checkpointId);
          const location = this.savepointLocations.get(d.checkpointId);
          this.savepointRequests.delete(d.checkpointId);
          this.savepointLocations.delete(d.checkpointId);
          if (request === this.drainRequest) this.drainRequest = undefined;
          if (request !== undefined && location !== undefined) request.settle({ ok: true, location, checkpointId: d.checkpointId });
          if (d.final && bound !== undefined) {
            this.finishing = true;
            bound.attempt.finish();
          }
          break;
        }
        case "abort": {
          const request = this.savepointRequests.get(d.checkpointId);
          this.savepointRequests.delete(d.checkpointId);
          this.savepointLocations.delete(d.checkpointId);
          // The final savepoint of a drained stop is taken again, as the final checkpoint is.
          if (request !== undefined && request !== this.drainRequest) request.settle({ ok: false, cause: describeFailureReason(d.reason) });
          this.enumeratorStates.delete(d.checkpointId);
          bound?.sources?.notifyCheckpointAborted(d.checkpointId);
          bound?.attempt.notifyCheckpointAborted(d.checkpointId);
          this.params.deletions.discard(d.checkpointId);
          this.report(d.checkpointId);
          break;
        }
        case "discard":
          this.params.deletions.discard(d.checkpointId);
          break;
        case "drop-request":
          break;
        case "fail-job":
          bound?.fail(new WeirError("WEIR_ERR_CHECKPOINT_FAILURES", d.reason));
          break;
      }
    }
    this.scheduleTick();
  }

  /** The split enumerators are snapshotted before the trigger leaves, so their state precedes every reader's. */
  private trigger(bound: Bound, checkpointId: number, timestamp: number, kind: BarrierKind): void {
    const states = bound.sources?.snapshotState(checkpointId);
    if (states !== undefined) this.enumeratorStates.set(checkpointId, states);
    bound.attempt.triggerCheckpoint(checkpointId, timestamp, kind);
  }

  private report(id: number): void {
    const stats = this.coordinator.stats.get(toCheckpointId(id));
    if (stats !== undefined) this.params.onCheckpoint?.(stats);
  }

  private scheduleTick(): void {
    this.clearTimer();
    if (this.bound === undefined) return;
    const coordinator = this.coordinator;
    const next = coordinator.nextWakeUp();
    if (next === undefined) return;
    this.tickTimer = setTimeout(() => this.apply(coordinator.tick()), timerDelay(next, this.params.clock.now()));
  }

  private clearTimer(): void {
    if (this.tickTimer !== undefined) clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
  }

  private async persist(d: PersistDecision<Snapshot>): Promise<void> {
    const coordinator = this.coordinator;
    const { params } = this;
    const enumerators = this.enumeratorStates.get(d.checkpointId);
    this.enumeratorStates.delete(d.checkpointId);
    const savepoint = this.savepointRequests.get(d.checkpointId);
    const inFlightBytes = d.acknowledgements.reduce((sum, a) => sum + (a.stats.inFlightBytes ?? 0), 0);
    const properties: { [key: string]: JsonValue } = {
      ...(enumerators === undefined ? {} : { [ENUMERATORS_PROPERTY]: enumerators }),
      ...(inFlightBytes === 0 ? {} : { [IN_FLIGHT_BYTES_PROPERTY]: inFlightBytes }),
      ...(savepoint === undefined ? {} : { [SAVEPOINT_PROPERTY]: savepoint.mode }),
    };
    try {
      const metadata = buildCheckpointMetadata({
        jobId: params.jobId,
        checkpointId: d.checkpointId,
        triggeredAt: d.timestamp,
        completedAt: Math.max(d.timestamp, params.clock.now()),
        fingerprint: params.fingerprint,
        ...(params.jobName === undefined ? {} : { jobName: params.jobName }),
        job: params.job,
        acknowledgements: d.acknowledgements,
        ...(Object.keys(properties).length === 0 ? {} : { properties }),
      });
      if (savepoint === undefined) await params.storage.writeMetadata(metadata);
      else {
        // A stop's savepoint commits (the tasks are told before they close): recorded as the job's newest state first.
        const location = await params.storage.writeSavepoint(metadata, savepoint.targetDir, { recordAsNewest: savepoint.mode !== "savepoint" });
        this.savepointLocations.set(d.checkpointId, location);
      }
    } catch (e) {
      this.apply(coordinator.persistFailed(d.checkpointId, e));
      return;
    }
    this.apply(coordinator.persisted(d.checkpointId));
  }
}
