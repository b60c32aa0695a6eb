/**
 * Fault hooks: the named points where the runtime lets a test make it fail. The runtime owns the
 * points and calls `faultPoint(...)` at each; by default nothing is installed and every point is
 * a no-op. `weir/testing` installs hooks (from a fault plan) to inject failures; production code
 * never imports the testing module.
 *
 * Points:
 * - "record"         an operator is handed a record (before its user function runs); a throw
 *                    here is a failure of that operator, as if the user function threw;
 * - "snapshot-sync"  a task's synchronous snapshot phase;
 * - "snapshot-async" writing a task's state in the asynchronous phase;
 * - "before-commit"  a two-phase-commit sink, after pre-commit and before committing;
 * - "lose-ack"       a task acknowledges a checkpoint: returning true drops the acknowledgement.
 *
 * Hooks may also change timing as slow systems would: slow checkpoint storage
 * (`snapshotStepDelayMs`: records flow while snapshots are written, which is when a value shared
 * between live state and a snapshot shows), and sources slow to start again after a restore
 * (`restoredSourceDelayMs`: the first checkpoint after the restore is taken before the restored
 * operators see a record).
 *
 * Worker threads do not share module state with the thread that installed the hooks: hooks that
 * must also fire in workers name a `workerModule`, which every worker thread imports before it
 * deploys its subtasks (the module installs the hooks there, typically from the environment).
 */

import type { SourceReader } from "../sources/source.ts";
import type { JobStatusReader } from "./job-status.ts";
import type { StreamOperator } from "./operators/operator.ts";
import { operatorFailure } from "./operators/user-function.ts";

export type FaultPoint = "record" | "snapshot-sync" | "snapshot-async" | "before-commit" | "lose-ack";

export interface FaultHooks {
  /**
   * Passes `point`: returns true to make the caller drop what it was doing ("lose-ack"), false to
   * go on; throws (or ends the process) to inject a failure.
   */
  pass(point: FaultPoint): boolean;
  /** A module URL that worker threads import to install the same hooks there. */
  readonly workerModule?: string;
  /** An attempt of the job is being deployed on this thread (after a start, restart or resume). */
  deploying?(): void;
  /** Milliseconds the asynchronous snapshot phase waits after each step (a key group), instead of only yielding. */
  readonly snapshotStepDelayMs?: number;
  /** A source restored from a checkpoint emits nothing until the first checkpoint after the restore, for at most this many milliseconds. */
  readonly restoredSourceDelayMs?: number;
  /** A job master on this thread starts a job: `status` reads the job's status from then on. */
  observe?(status: JobStatusReader): void;
}

let installed: FaultHooks | undefined;

/** Installs `hooks` in this thread, replacing any; `undefined` uninstalls. */
export function installFaultHooks(hooks: FaultHooks | undefined): void {
  installed = hooks;
}

/** The module worker threads import to install the hooks of this thread, if any. */
export function faultHooksWorkerModule(): string | undefined {
  return installed?.workerModule;
}

/** Passes fault point `point` (see the module comment); false when no hooks are installed. */
export function faultPoint(point: FaultPoint): boolean {
  return installed === undefined ? false : installed.pass(point);
}

/** Tells the hooks that an attempt is being deployed on this thread. */
export function faultHooksDeploying(): void {
  installed?.deploying?.();
}

/** Hands the hooks a reader of the status of the job this thread's job master starts. */
export function faultHooksObserve(status: JobStatusReader): void {
  installed?.observe?.(status);
}

/** How long the asynchronous snapshot phase waits after each step; 0 when no hooks slow it down. */
export function snapshotStepDelayMs(): number {
  return installed?.snapshotStepDelayMs ?? 0;
}

/**
 * The pace of slow snapshot storage: one step every `delayMs` on average, counted from the phase's
 * start. Each wait lasts until the next step's turn, so the timer delays of a busy machine do not
 * add up step after step: waits of `delayMs` each would stretch a phase of 64 steps of 2 ms to
 * seconds when every timer fires 30 ms late, past checkpoint timeouts chosen for 2 ms a step, and
 * expire checkpoint after checkpoint. A step whose turn has passed waits 0 (it only yields). Pure.
 */
export class SnapshotStepPace {
  private steps = 0;

  constructor(
    private readonly delayMs: number,
    private readonly start: number,
  ) {}

  /** The wait after the next step, at `now`. */
  nextWaitMs(now: number): number {
    this.steps++;
    return Math.max(0, this.start + this.steps * this.delayMs - now);
  }
}

/** The wait after each step of an asynchronous snapshot phase starting now; undefined when no hooks slow it down. */
export function snapshotStepPause(): (() => Promise<void>) | undefined {
  const delayMs = snapshotStepDelayMs();
  if (delayMs <= 0) return undefined;
  const pace = new SnapshotStepPace(delayMs, performance.now());
  return () =>
    new Promise<void>((resolve) => {
      const wait = pace.nextWaitMs(performance.now());
      if (wait > 0) setTimeout(resolve, wait);
      else setImmediate(resolve);
    });
}

/**
 * `reader` itself, unless hooks delay restored sources: then the same reader, which has nothing
 * available from its first poll until it was snapshotted once (the first checkpoint after the
 * restore), or at most `restoredSourceDelayMs`. Checkpoints go on meanwhile.
 */
export function withRestoredSourceDelay<T>(reader: SourceReader<T>): SourceReader<T> {
  const delayMs = installed?.restoredSourceDelayMs ?? 0;
  if (delayMs <= 0) return reader;
  let ready = false;
  let release: () => void = () => {};
  let waited: Promise<void> | undefined;
  const start = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => release(), delayMs);
      release = () => {
        clearTimeout(timer);
        ready = true;
        resolve();
      };
    });
  return {
    ...(reader.open === undefined ? {} : { open: () => reader.open!() }),
    pollNext: (output, maxRecords) => {
      if (ready) return reader.pollNext(output, maxRecords);
      waited ??= start();
      return "nothing-available";
    },
    isAvailable: () => (ready || waited === undefined ? reader.isAvailable() : waited),
    snapshotState: (checkpointId) => {
      const state = reader.snapshotState?.(checkpointId);
      if (waited !== undefined) release();
      else ready = true;
      return state;
    },
    ...(reader.notifyCheckpointComplete === undefined ? {} : { notifyCheckpointComplete: (id: number) => reader.notifyCheckpointComplete!(id) }),
    metrics: () => reader.metrics?.(),
    ...(reader.close === undefined ? {} : { close: () => reader.close!() }),
  };
}

/**
 * The operator itself when no hooks are installed; otherwise the same operator, whose
 * `processElement` first passes the "record" point, so an injected fault is a failure of that
 * operator, as a throw of its user function would be.
 */
export function withRecordFaults(operator: StreamOperator, operatorName: string): StreamOperator {
  if (installed === undefined) return operator;
  const deliver = operator.processElement.bind(operator);
  operator.processElement = (record, inputIndex) => {
    try {
      faultPoint("record");
    } catch (e) {
      throw operatorFailure(operatorName, e);
    }
    deliver(record, inputIndex);
  };
  return operator;
}
