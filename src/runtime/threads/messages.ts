/** Messages between the coordinating thread and its workers, and between workers (channel traffic). */
import type { FailureReport } from "../failure-report.ts";
import type { TaskMetrics } from "../metrics.ts";
import type { ChannelEvent } from "../network/channel-item.ts";
import type { BarrierKind } from "../barriers/barrier.ts";
import type { ThreadSpec } from "../attempt-deployment.ts";
import type { TaskSnapshotAck } from "../task-checkpointing.ts";
import type { StateRestoreReport } from "../state-restore-report.ts";
import type { MessagePort } from "node:worker_threads";
import type { EnumeratorToReader, ReaderToEnumerator } from "../source-events.ts";

/** What a worker thread boots with: it loads the job module, then stands by for its `init` (see standby-workers.ts). */
export interface WorkerStandbyData {
  readonly jobModule: string;
  /** The job checkpoints: the thread starts the thread its checkpoint files are written on (IoThreadVolume) as it boots. */
  readonly checkpointIo: boolean;
}

/** The attempt a worker thread standing by runs, sent as its `init` message with the peer ports transferred. */
export interface WorkerInit {
  readonly jobModule: string;
  /** The attempt, without what cannot cross threads (the definition and clock are rebuilt). */
  readonly spec: Omit<ThreadSpec, "definition" | "clock">;
  readonly worker: number;
  /** A port to each other worker, by worker index; null at this worker's own index. */
  readonly peers: readonly (MessagePort | null)[];
  readonly progressIntervalMs: number;
  /** Imported before deploying, to install the coordinating thread's fault hooks (see fault-hooks.ts). */
  readonly faultHooksModule: string | undefined;
}

export type ToWorker =
  | { readonly type: "init"; readonly init: WorkerInit }
  | { readonly type: "start" }
  | { readonly type: "cancel" }
  | { readonly type: "trigger"; readonly checkpointId: number; readonly timestamp: number; readonly kind: BarrierKind }
  | { readonly type: "drain" }
  | { readonly type: "complete"; readonly checkpointId: number }
  | { readonly type: "aborted"; readonly checkpointId: number }
  | { readonly type: "finish" }
  | { readonly type: "to-reader"; readonly taskId: string; readonly message: EnumeratorToReader };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
}

export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "metrics"; readonly tasks: readonly TaskMetrics[] }
  | { readonly type: "collect"; readonly sinkId: string; readonly records: readonly unknown[] }
  | { readonly type: "ack"; readonly taskId: string; readonly ack: TaskSnapshotAck }
  | { readonly type: "decline"; readonly taskId: string; readonly checkpointId: number; readonly reason: string }
  | { readonly type: "end-of-data"; readonly taskId: string }
  | { readonly type: "to-enumerator"; readonly taskId: string; readonly message: ReaderToEnumerator }
  | { readonly type: "finished"; readonly tasks: readonly TaskMetrics[] }
  | { readonly type: "restored"; readonly report: StateRestoreReport }
  | { readonly type: "warning"; readonly message: string }
  | { readonly type: "task-failed"; readonly report: FailureReport }
  /** A failure before any task existed: loading or building the job. */
  | { readonly type: "setup-failed"; readonly error: SerializedError };

/** Channel traffic between workers: a batch (encoded, with its timestamps if any), an event, credit granted back, or a consumer's batch size. */
export type PeerMessage =
  | { readonly t: 0; readonly c: number; readonly b: Uint8Array }
  | { readonly t: 3; readonly c: number; readonly b: Uint8Array; readonly s: Float64Array }
  | { readonly t: 1; readonly c: number; readonly e: ChannelEvent }
  | { readonly t: 2; readonly c: number; readonly n: number }
  | { readonly t: 4; readonly c: number; readonly n: number };
