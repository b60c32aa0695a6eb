/**
 * The enumerators of a job's split-based sources, in the job master (Flink's SourceCoordinator):
 * one per source, made for each attempt, from scratch or from the enumerator state of the
 * checkpoint the attempt restores. It hands the enumerator what the readers say and carries out
 * what the enumerator decides.
 *
 * Checkpoints: `snapshotState(n)` is called when checkpoint n is triggered, before the trigger is
 * sent to any task; an assignment made afterwards reaches its reader after the trigger, so it is
 * in the enumerator's snapshot (as unassigned) and not in the reader's. The snapshot is a detached
 * JSON copy taken at once: an enumerator that returns its live collections and changes them later
 * does not change checkpoint n. An enumerator's state is kept in the checkpoint's metadata, under
 * the property `ENUMERATORS_PROPERTY`, by operator id.
 *
 * Readers register when their tasks open, after the enumerator started (as in Flink). What the
 * enumerator sends a reader that has not registered yet (from `start()`, or from a discovery that
 * ran early) waits here, in order, and reaches the reader when it registers, before `addReader`.
 * Checkpoints are triggered only once every task is open, so nothing waits then.
 *
 * A failure of an enumerator fails the attempt, as a failing task does.
 */
import type { CheckpointMetadata, JsonValue } from "../../checkpoint/storage/checkpoint-metadata.ts";
import type { JobArgs } from "../../api/job-args.ts";
import type { Clock } from "../../core/clock.ts";
import { internalError, invalidArgument, WeirError } from "../../core/errors.ts";
import { operatorIdOf, type JobGraph } from "../../graph/job-graph.ts";
import { isSplitSource, type SourceSplit, type SplitEnumerator, type SplitEnumeratorContext, type SplitSource } from "../../sources/split-source.ts";
import { jobFailedError, reportFailure } from "../failure-report.ts";
import type { EnumeratorToReader, ReaderToEnumerator } from "../source-events.ts";

/** The checkpoint metadata property that holds the enumerators' states, by operator id. */
export const ENUMERATORS_PROPERTY = "sourceEnumerators";

export interface SourceCoordinatorEnvironment {
  readonly args: JobArgs;
  readonly clock: Clock;
  /** Sends a message to the reader of source task `taskId`. */
  readonly toReader: (taskId: string, message: EnumeratorToReader) => void;
  /** Runs what the enumerator does outside a call from the runtime (a `callAsync` handler); a throw fails the attempt. */
  readonly runGuarded?: (action: () => void) => void;
}

/** The enumerator of one split-based source, and the readers it knows of in this attempt. */
export class SourceCoordinator {
  private readonly readers = new Set<number>();
  /** Messages for readers that have not registered yet, by subtask, in the order they were sent. */
  private readonly waiting = new Map<number, EnumeratorToReader[]>();
  private readonly enumerator: SplitEnumerator<SourceSplit, unknown>;
  /** Timers of `callAsync`; cleared, and their callbacks ignored, once closed. */
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(
    readonly operatorId: string,
    readonly name: string,
    private readonly vertexId: number,
    private readonly parallelism: number,
    source: SplitSource<unknown, SourceSplit, unknown>,
    /** The enumerator's state in the restored checkpoint; undefined to start from scratch. */
    restored: JsonValue | undefined,
    private readonly env: SourceCoordinatorEnvironment,
  ) {
    const context = this.context();
    this.enumerator = restored === undefined ? source.createEnumerator(context) : source.restoreEnumerator(context, restored);
  }

  start(): void {
    this.enumerator.start();
  }

  /** A reader's message; a copy of it, as a message from a worker thread is, reaches the enumerator. */
  handle(subtask: number, received: ReaderToEnumerator): void {
    const enumerator = this.enumerator;
    const message = received.kind === "finished" || received.kind === "event" ? structuredClone(received) : received;
    switch (message.kind) {
      case "register": {
        this.readers.add(subtask);
        const waiting = this.waiting.get(subtask) ?? [];
        this.waiting.delete(subtask);
        for (const m of waiting) this.env.toReader(this.taskId(subtask), m);
        enumerator.addReader(subtask);
        return;
      }
      case "request":
        enumerator.handleSplitRequest(subtask);
        return;
      case "finished":
        enumerator.handleSplitsFinished?.(subtask, message.splits);
        return;
      case "event":
        enumerator.handleSourceEvent?.(subtask, message.event);
        return;
    }
  }

  /** The enumerator's state for checkpoint `checkpointId`, as the JSON copy the checkpoint stores. */
  snapshotState(checkpointId: number): JsonValue {
    if (this.waiting.size > 0) {
      throw internalError(`source '${this.name}': checkpoint ${checkpointId} was triggered before reader ${[...this.waiting.keys()].join(", ")} registered`);
    }
    const state = this.enumerator.snapshotState(checkpointId);
    return JSON.parse(JSON.stringify(state ?? null)) as JsonValue;
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.enumerator.notifyCheckpointComplete?.(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.enumerator.notifyCheckpointAborted?.(checkpointId);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.enumerator.close?.();
  }

  private callAsync<R>(callable: () => R | Promise<R>, handler: (result: R | undefined, error: unknown) => void, initialDelayMs = 0, periodMs = 0): void {
    const guarded = this.env.runGuarded ?? ((action: () => void) => action());
    const schedule = (delayMs: number): void => {
      if (this.closed) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void Promise.resolve()
          .then(callable)
          .then(
            (result) => ({ result, error: undefined }),
            (error: unknown) => ({ result: undefined, error: error ?? new Error("callAsync's callable failed") }),
          )
          .then(({ result, error }) => {
            if (this.closed) return;
            guarded(() => handler(result, error));
            if (periodMs > 0) schedule(periodMs);
          });
      }, delayMs);
      this.timers.add(timer);
    };
    schedule(initialDelayMs);
  }

  private send(subtask: number, message: EnumeratorToReader): void {
    if (!Number.isInteger(subtask) || subtask < 0 || subtask >= this.parallelism) {
      throw invalidArgument(`source '${this.name}' has readers 0 to ${this.parallelism - 1}, not ${String(subtask)}`);
    }
    // A copy, as a message to a worker thread is: the enumerator may change what it sent, and the reader what it got.
    const copy = structuredClone(message);
    if (this.readers.has(subtask)) this.env.toReader(this.taskId(subtask), copy);
    else {
      const waiting = this.waiting.get(subtask) ?? [];
      waiting.push(copy);
      this.waiting.set(subtask, waiting);
    }
  }

  private taskId(subtask: number): string {
    return `${this.vertexId}:${subtask}`;
  }

  private context(): SplitEnumeratorContext<SourceSplit> {
    return {
      currentParallelism: () => this.parallelism,
      registeredReaders: () => this.readers,
      assignSplits: (assignment) => {
        for (const [subtask, splits] of assignment) if (splits.length > 0) this.send(subtask, { kind: "splits", splits: [...splits] });
      },
      assignSplit: (split, subtask) => this.send(subtask, { kind: "splits", splits: [split] }),
      signalNoMoreSplits: (subtask) => this.send(subtask, { kind: "no-more-splits" }),
      sendEventToSourceReader: (subtask, event) => this.send(subtask, { kind: "event", event }),
      callAsync: (callable, handler, initialDelayMs, periodMs) => this.callAsync(callable, handler, initialDelayMs, periodMs),
      args: this.env.args,
      clock: this.env.clock,
    };
  }
}

/**
 * The coordinators of every split-based source of a job for one attempt. Errors of an
 * enumerator go to `fail`; after that, nothing more is handed to the enumerators.
 */
export class SourceCoordinators {
  private readonly byVertex = new Map<number, SourceCoordinator>();
  private failed = false;

  constructor(
    job: JobGraph,
    restore: CheckpointMetadata | undefined,
    env: SourceCoordinatorEnvironment,
    private readonly fail: (error: Error) => void,
  ) {
    const restoredStates = restore?.properties?.[ENUMERATORS_PROPERTY] as { readonly [operatorId: string]: JsonValue } | undefined;
    for (const vertex of job.vertices) {
      const head = vertex.nodes[0]!;
      if (head.kind !== "source" || !isSplitSource(head.source)) continue;
      const operatorId = operatorIdOf(head);
      const restored = restoredStates?.[operatorId];
      // A source the checkpoint does not know (new in this version of the job) starts from scratch.
      if (restore !== undefined && restored === undefined && restore.operators.some((o) => o.operatorId === operatorId && o.subtasks.some((s) => s.state.length > 0))) {
        // Its readers' positions, if any, are not splits: starting the enumerator over would read the input again.
        this.failed = true;
        fail(
          new WeirError(
            "WEIR_ERR_CHECKPOINT_MISMATCH",
            `checkpoint ${restore.checkpointId} holds no enumerator state for the split-based source '${head.name ?? operatorId}' (it was written before the source had splits); it cannot be restored into this job`,
          ),
        );
        return;
      }
      const name = head.name ?? operatorId;
      const guarded = { ...env, runGuarded: (action: () => void) => this.guard(name, action) };
      this.guard(name, () => {
        this.byVertex.set(vertex.id, new SourceCoordinator(operatorId, name, vertex.id, vertex.parallelism, head.source as SplitSource<unknown, SourceSplit, unknown>, restored, guarded));
      });
    }
  }

  get size(): number {
    return this.byVertex.size;
  }

  start(): void {
    for (const c of this.byVertex.values()) this.guard(c.name, () => c.start());
  }

  /** A message from the reader of task `taskId` ("<vertex>:<subtask>"). */
  handle(taskId: string, message: ReaderToEnumerator): void {
    const [vertex, subtask] = taskId.split(":").map(Number) as [number, number];
    const coordinator = this.byVertex.get(vertex);
    if (coordinator !== undefined) this.guard(coordinator.name, () => coordinator.handle(subtask, message));
  }

  /** Every enumerator's state for checkpoint `checkpointId`, by operator id; undefined when the job has none. */
  snapshotState(checkpointId: number): { [operatorId: string]: JsonValue } | undefined {
    if (this.byVertex.size === 0) return undefined;
    const states: { [operatorId: string]: JsonValue } = {};
    for (const c of this.byVertex.values()) this.guard(c.name, () => (states[c.operatorId] = c.snapshotState(checkpointId)));
    return states;
  }

  notifyCheckpointComplete(checkpointId: number): void {
    for (const c of this.byVertex.values()) this.guard(c.name, () => c.notifyCheckpointComplete(checkpointId));
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (const c of this.byVertex.values()) this.guard(c.name, () => c.notifyCheckpointAborted(checkpointId));
  }

  close(): void {
    this.failed = true;
    for (const c of this.byVertex.values()) {
      try {
        c.close();
      } catch {
        // The attempt is over; a failing close has nothing left to fail.
      }
    }
  }

  private guard(name: string, action: () => void): void {
    if (this.failed) return;
    try {
      action();
    } catch (e) {
      this.failed = true;
      this.fail(jobFailedError(reportFailure("run", { headName: `${name} (split enumerator)`, subtaskIndex: 0, parallelism: 1 }, e)));
    }
  }
}
