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
