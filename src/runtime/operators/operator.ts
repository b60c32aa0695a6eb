/**
 * The runtime's operator contract. A task drives its operators through one lifecycle:
 * `open` (all operators of a job open before any record flows) → `processElement`*,
 * `processWatermark`*, `onProcessingTime`*, `snapshotState`* and checkpoint notifications →
 * `endInput` once per input → `close`. Calls come from one thread, one at
 * a time. An operator emits only through the output it was opened with.
 */
import type { Clock } from "../../core/clock.ts";
import type { RuntimeContext } from "../../api/functions.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { SideOutputs } from "../side-outputs.ts";
import type { RecordTimestamp } from "../record-timestamp.ts";
import type { ConnectorMetrics } from "../metrics.ts";
import type { DefaultOperatorStateStore } from "../../state/operator/operator-state-store.ts";

export interface Output<T> {
  /** Emits a record, with the timestamp the task's `RecordTimestamp` holds at the time of the call. */
  collect(record: T): void;
  /** Emits a watermark (event time's progress) to every consumer. The runtime's outputs all have it. */
  emitWatermark?(watermark: number): void;
  /** Declares this producer idle (it holds no consumer's watermark back) or active again. */
  emitWatermarkStatus?(idle: boolean): void;
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
  /** The job's checkpoint interval; undefined without checkpoints. */
  readonly checkpointIntervalMs?: number | undefined;
  /**
   * Object reuse is on (absent: off): the job promises never to change a record it was given, so
   * an operator need not copy records it hands user functions to protect what it keeps.
   */
  readonly objectReuse?: boolean;
  /** The operator's state from the checkpoint being restored, if any. */
  readonly restored:
    | {
        readonly checkpointId: number;
        /** What this subtask returned from snapshotState; undefined when the operator was rescaled. */
        readonly state: unknown;
        /** Every state this subtask takes over: `[state]`, or when rescaled those of several old subtasks (see RestoredOperatorState). */
        readonly states: readonly unknown[];
      }
    | undefined;
  /** Where `ctx.output(tag, value)` sends records: the side outputs read downstream, by tag id. */
  readonly sideOutputs: SideOutputs;
  /**
   * Asks the task for a step soon, from outside one (a promise settled): the task then calls
   * `processMail`. Operators never emit outside the task's steps.
   */
  readonly requestStep: () => void;
  /** The timestamp of the record being processed, shared by the operators of one task. */
  readonly recordTimestamp: RecordTimestamp;
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
  /**
   * The operator's input watermark advanced to `watermark` (combined over its inputs, never
   * backwards). The operator fires what became due and forwards a watermark on its output; an
   * operator without this method forwards the watermark unchanged.
   */
  processWatermark?(watermark: number): void;
  /** Its input became idle or active again; without this method the status is forwarded unchanged. */
  processWatermarkStatus?(idle: boolean): void;
  /** Called when the processing-time clock passed `nextTimerTime()`. */
  onProcessingTime?(now: number): void;
  /**
   * The earliest processing time the operator must be called at, if any (its earliest
   * processing-time timer, or its next periodic watermark): the task wakes for it.
   */
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
  /** A sink's connector metrics: what its writer counts of the system it writes. */
  connectorMetrics?(): ConnectorMetrics | undefined;
  /**
   * How many more records the operator takes before it must hold its input (its asynchronous
   * requests are at capacity). At 0 the task stops reading its input, and keeps handling control
   * actions, mail and timers, until there is room again; a source task polls at most this many
   * records. Records of a batch already being delivered are still handed in (the operator keeps
   * them waiting).
   */
  inputRoom?(): number;
  /** Work that completed outside the task's steps (asynchronous results) waits for `processMail`. */
  hasMail?(): boolean;
  /** Handles that work, in a step of the task: it may emit. */
  processMail?(): void;
}

export type OperatorFactory = () => StreamOperator;
