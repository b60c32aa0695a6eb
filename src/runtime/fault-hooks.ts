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
 * Worker threads do not share module state with the thread that installed the hooks: hooks that
 * must also fire in workers name a `workerModule`, which every worker thread imports before it
 * deploys its subtasks (the module installs the hooks there, typically from the environment).
 */

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
