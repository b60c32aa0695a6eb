/** A checkpoint barrier: injected by the sources, it flows with the records on every channel. */

export interface CheckpointBarrier {
  readonly kind: "barrier";
  readonly checkpointId: number;
  readonly timestamp: number;
  /**
   * The barrier of a stop-with-savepoint without drain: a task that snapshots it takes no more
   * input, fires no timers and ends nothing until the savepoint completes (then it closes) or is
   * aborted (then it resumes).
   */
  readonly suspend?: true;
  /**
   * The barrier of a savepoint (either kind): a savepoint is self-contained and portable, so
   * operators with incremental checkpoints write their full keyed state into it, outside their
   * changelog chain.
   */
  readonly savepoint?: true;
  /**
   * Set on checkpoints of a job with unaligned checkpoints (never on savepoints, which are always
   * aligned): how long after the checkpoint's trigger (`timestamp`) alignment may take before the
   * barrier overtakes the records in flight; 0 overtakes at once (Flink's
   * `alignedCheckpointTimeout`, with 0 for purely unaligned checkpoints).
   */
  readonly alignedTimeoutMs?: number;
}

/**
 * What a trigger starts: a checkpoint (unaligned when the job enables it), a savepoint (always
 * aligned), or the savepoint of a stop without drain (see `suspend`).
 */
export type BarrierKind = "checkpoint" | "savepoint" | "savepoint-suspend";

/** Whether `barrier` overtakes the records ahead of it at time `now` (see `alignedTimeoutMs`). */
export function overtakes(barrier: CheckpointBarrier, now: number): boolean {
  const timeout = barrier.alignedTimeoutMs;
  return timeout !== undefined && now - barrier.timestamp >= timeout;
}

/** What a barrier handler asks of its task. */
export interface BarrierHandlerActions {
  /** Stop taking items from a channel (its later items belong after the checkpoint). */
  block(channel: number): void;
  /** Take items from every channel again. */
  unblockAll(): void;
  /** Every live channel delivered the barrier: snapshot the task and forward the barrier. */
  checkpoint(barrier: CheckpointBarrier, alignmentMs: number): void;
  /** A checkpoint this task was aligning for cannot complete here (a newer barrier overtook it). */
  decline(checkpointId: number, reason: string): void;
}

/** What an unaligned barrier handler asks of its task besides the aligned actions. */
export interface UnalignedBarrierHandlerActions extends BarrierHandlerActions {
  /**
   * Snapshot the task now and send the barrier ahead of the output buffers. The channels in
   * `inPosition` delivered the barrier in place (aligned) and hold nothing of the checkpoint in
   * flight; every other live channel's records up to its barrier are in flight and belong to the
   * checkpoint's channel state.
   */
  checkpointUnaligned(barrier: CheckpointBarrier, alignmentMs: number, inPosition: ReadonlySet<number>): void;
  /** Every channel caught up: the checkpoint's channel state is complete. */
  inFlightComplete(checkpointId: number): void;
}

/**
 * Reacts to barriers and ended channels of one task's input. The state names feed logs.
 * Channels are numbered 0..channelCount-1.
 */
export interface BarrierHandler {
  readonly state: string;
  onBarrier(channel: number, barrier: CheckpointBarrier): void;
  /** A channel ended: it can no longer deliver barriers, so alignment no longer waits for it. */
  onEndOfPartition(channel: number): void;
  /** The coordinator aborted a checkpoint: stop waiting for its barriers. */
  onAbort(checkpointId: number): void;
}
