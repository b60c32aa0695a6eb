/**
 * What a task needs to take part in checkpoints, given by the thread that runs it, and what a
 * task reports. Absent when the job takes no checkpoints.
 */
import type { TimerEntry } from "../state/internal-timer-service.ts";
import type { TaskCheckpointStats } from "../checkpoint/coordinator/acknowledgement.ts";
import type { StateHandle } from "../checkpoint/storage/checkpoint-metadata.ts";
import type { OperatorStateSnapshot } from "../state/operator/operator-state-snapshot.ts";

export type CheckpointMode = "exactly-once" | "at-least-once";

/** One operator's written state for one checkpoint. */
export interface OperatorStateHandle {
  readonly operatorId: string;
  readonly subtask: number;
  readonly handle: StateHandle;
  readonly keyGroupRange?: { readonly start: number; readonly end: number };
}

export interface TaskSnapshotAck {
  readonly checkpointId: number;
  readonly stats: TaskCheckpointStats;
  readonly operators: readonly OperatorStateHandle[];
}

export interface TaskCheckpointing {
  readonly mode: CheckpointMode;
  /** Exactly-once checkpoints may be unaligned (their barriers say when; see barrier.ts). */
  readonly unaligned?: boolean;
  /** Durably stores one operator's state for checkpoint `checkpointId`. */
  writeState(checkpointId: number, operatorId: string, subtask: number, bytes: Uint8Array): Promise<StateHandle>;
  /**
   * Durably stores a file of an operator's incremental chain in the job's `shared/` directory (see
   * CheckpointStorage.writeSharedState); `checksum`, when given, is the bytes' checksum, computed already.
   */
  writeSharedState(operatorId: string, subtask: number, bytes: Uint8Array, checksum?: string): Promise<StateHandle>;
  /**
   * Deletes everything written for checkpoint `checkpointId`, which was aborted; no later
   * `writeState` for it succeeds, so its directory is never made again by this task's thread.
   */
  discard(checkpointId: number): Promise<void>;
  acknowledge(ack: TaskSnapshotAck): void;
  /** Checkpoint `checkpointId` completed and the task was told: what it kept outside the storage for older checkpoints can go. */
  notifyComplete?(checkpointId: number): void;
  decline(checkpointId: number, reason: string): void;
  /** A source task emitted its last record; the job's final checkpoint can follow once all have. */
  endOfData(): void;
}

/** One operator's state as restored into a task: what the operator stored, decoded. */
export interface RestoredOperatorState {
  readonly checkpointId: number;
  /** Keyed state snapshots covering (at least) this subtask's key groups. */
  readonly keyed: readonly Uint8Array[];
  /** Where each of `keyed` was read from (operator, subtask, file), for errors. */
  readonly keyedFrom?: readonly string[];
  /** Timers of both time domains; those of other key groups are dropped on restore. */
  readonly timers: readonly TimerEntry[];
  /** What the operator (or source reader) returned from snapshotState; undefined when rescaled. */
  readonly state: unknown;
  /**
   * Every own state (snapshotState's result) this subtask takes over: `[state]` at the checkpoint's
   * parallelism; when rescaled, those of the old subtasks j with j mod parallelism = this index.
   */
  readonly states: readonly unknown[];
  /** This subtask's part of the operator's operator state, redistributed over all subtasks that wrote it. */
  readonly operatorState?: OperatorStateSnapshot | undefined;
  /** The task's channel state (encoded), restored into the task whose head this operator is. */
  readonly channelState?: Uint8Array | undefined;
}
