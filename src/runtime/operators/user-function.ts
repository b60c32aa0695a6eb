/**
 * Adapters between the two forms a user function may take (a closure, or an object with a named
 * method and optional open/close) and the operators that call it, plus the error that tells which
 * operator's user code failed.
 */
import type { CheckpointListener, CheckpointedFunction, FunctionInitializationContext, FunctionSnapshotContext, RuntimeContext } from "../../api/functions.ts";
import { DefaultOperatorStateStore } from "../../state/operator/operator-state-store.ts";
import type { OperatorContext, Output } from "./operator.ts";

/** A failure inside user code, tagged with the operator that ran it. */
export class OperatorFailure extends Error {
  constructor(
    readonly operatorName: string,
    override readonly cause: unknown,
  ) {
    super(`operator '${operatorName}' failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export function operatorFailure(operatorName: string, cause: unknown): OperatorFailure {
  return cause instanceof OperatorFailure ? cause : new OperatorFailure(operatorName, cause);
}

// The user-facing unions type each method precisely; here one loose shape serves every kind.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/** The callable behind a user function: the closure itself, or the object's method bound to it. */
export function userCallable<F extends AnyFunction>(fn: unknown, method: string): F {
  if (typeof fn === "function") return fn as F;
  if (fn !== null && typeof fn === "object") {
    const m = (fn as Record<string, unknown>)[method];
    if (typeof m === "function") return m.bind(fn) as F;
  }
  throw new TypeError(`expected a function or an object with a '${method}' method`);
}

export async function openUserFunction(fn: unknown, context: RuntimeContext): Promise<void> {
  if (fn !== null && typeof fn === "object" && typeof (fn as { open?: unknown }).open === "function") {
    await (fn as { open(c: RuntimeContext): unknown }).open(context);
  }
}

/** The function's CheckpointedFunction methods, if it is an object that has both. */
function checkpointed(fn: unknown): CheckpointedFunction | undefined {
  if (fn === null || typeof fn !== "object") return undefined;
  const f = fn as Partial<CheckpointedFunction>;
  return typeof f.initializeState === "function" && typeof f.snapshotState === "function" ? (f as CheckpointedFunction) : undefined;
}

/** Calls `initializeState` of a CheckpointedFunction with the operator's state stores. */
export async function initializeUserFunctionState(fn: unknown, context: OperatorContext): Promise<void> {
  const target = checkpointed(fn);
  if (target === undefined) return;
  const store = context.operatorStateStore ?? new DefaultOperatorStateStore();
  const restored = context.restored;
  const init: FunctionInitializationContext = {
    isRestored: () => restored !== undefined,
    getRestoredCheckpointId: () => restored?.checkpointId,
    getOperatorStateStore: () => store,
    getKeyedStateStore: () => context.runtime,
  };
  await target.initializeState(init);
}

/** Calls `snapshotState` of a CheckpointedFunction for checkpoint `checkpointId`. */
export async function snapshotUserFunctionState(fn: unknown, checkpointId: number, timestamp: number): Promise<void> {
  const target = checkpointed(fn);
  if (target === undefined) return;
  const snapshot: FunctionSnapshotContext = { getCheckpointId: () => checkpointId, getCheckpointTimestamp: () => timestamp };
  await target.snapshotState(snapshot);
}

export async function closeUserFunction(fn: unknown): Promise<void> {
  if (fn !== null && typeof fn === "object" && typeof (fn as { close?: unknown }).close === "function") {
    await (fn as { close(): unknown }).close();
  }
}

/**
 * Base of operators that wrap one user function: its lifecycle (with CheckpointedFunction's
 * `initializeState` before `open`, and `snapshotState` at each checkpoint), the output, and
 * failure tagging.
 */
export abstract class UserFunctionOperator<F, O> {
  protected output!: Output<O>;
  protected name = "";

  constructor(protected readonly userFunction: F) {}

  /** The user function, for the compatibility check of a restore, which looks at its fields and calls its `initializeState`. */
  inspectedFunction(): unknown {
    return this.userFunction;
  }

  async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.output = output as Output<O>;
    this.name = context.runtime.operatorName;
    try {
      await initializeUserFunctionState(this.userFunction, context);
    } catch (e) {
      this.fail(e);
    }
    await openUserFunction(this.userFunction, context.runtime);
  }

  /** Runs the function's CheckpointedFunction.snapshotState; subclasses add their own state as the result. */
  async snapshotState(checkpointId: number, timestamp: number): Promise<unknown> {
    try {
      await snapshotUserFunctionState(this.userFunction, checkpointId, timestamp);
    } catch (e) {
      this.fail(e);
    }
    return undefined;
  }

  close(): Promise<void> {
    return closeUserFunction(this.userFunction);
  }

  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return (this.userFunction as CheckpointListener | undefined)?.notifyCheckpointComplete?.(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void | Promise<void> {
    return (this.userFunction as CheckpointListener | undefined)?.notifyCheckpointAborted?.(checkpointId);
  }

  protected fail(cause: unknown): never {
    throw operatorFailure(this.name, cause);
  }
}
