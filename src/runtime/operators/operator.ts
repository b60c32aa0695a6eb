/**
 * The runtime's operator contract. A task drives its operators through one lifecycle:
 * `open` (all operators of a job open before any record flows) → `processElement`*,
 * `onProcessingTime`*, `snapshotState`* and checkpoint notifications → `endInput` once per input
 * → `close`. Calls come from one thread, one at
 * a time. An operator emits only through the output it was opened with.
 */
import type { Clock } from "../../core/clock.ts";
import type { RuntimeContext } from "../../api/functions.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { DefaultOperatorStateStore } from "../../state/operator/operator-state-store.ts";

export interface Output<T> {
  collect(record: T): void;
}

/** A way for a sink to hand results to the process that submitted the job (collecting sinks). */
export interface ClientChannel {
  send(sinkId: string, records: unknown[]): void;
}

export interface OperatorContext {
  readonly runtime: RuntimeContext;
  /** Present only when the operator consumes keyed input. */
  readonly keyed: KeyedServices | undefined;
  readonly clock: Clock;
  readonly client: ClientChannel;
  /** Stable identity of the operator within the job (its uid, or a name derived from its position). */
  readonly operatorId: string;
  /** Whether the job takes checkpoints. */
  readonly checkpointing: boolean;
  /** The operator's state from the checkpoint being restored, if any. */
  readonly restored: { readonly checkpointId: number; readonly state: unknown } | undefined;
  /**
   * The operator's operator state (list and broadcast states), restored when the checkpoint has
   * some; the task snapshots it right after `snapshotState`.
   */
  readonly operatorStateStore?: DefaultOperatorStateStore;
}

export interface StreamOperator {
  /**
   * Every record this operator emits is one nobody else holds (its own input passed on, or a new
   * object it keeps no reference to): it reaches the next operator without a copy.
   */
  readonly emitsOwnedRecords?: boolean;
  /** The operator is done with a record when `processElement` returns and never changes it. */
  readonly readsRecordsOnly?: boolean;
  open(context: OperatorContext, output: Output<unknown>): void | Promise<void>;
  /** `inputIndex` is 0, or 1 for the second input of a two-input operator. */
  processElement(record: unknown, inputIndex: 0 | 1): void;
  /** Called when the processing-time clock passed the earliest registered timer. */
  onProcessingTime?(now: number): void;
  /** The earliest registered processing-time timer, if any: the task wakes for it. */
  nextTimerTime?(): number | undefined;
  /** No more records will arrive on this input. May emit. */
  endInput?(inputIndex: 0 | 1): void | Promise<void>;
  /**
   * Checkpoint n is taken now, between two records: return the operator's own state (plain data,
   * handed back as `context.restored.state` on restore). Keyed state, timers and the operator
   * state store are taken by the task. `timestamp` is the checkpoint's, from its barrier.
   */
  snapshotState?(checkpointId: number, timestamp: number): unknown;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
  close?(): void | Promise<void>;
}

export type OperatorFactory = () => StreamOperator;
