/** The checkpoint coordinator's public surface: the coordinator, its decisions, configuration and statistics. */
export { CheckpointCoordinator } from "./coordinator.ts";
export type { CheckpointCoordinatorOptions, CoordinatorPhase, TriggerRequestOptions } from "./coordinator.ts";
export type {
  AbortDecision,
  CompleteDecision,
  CoordinatorDecision,
  DiscardDecision,
  DropRequestDecision,
  FailJobDecision,
  PersistDecision,
  TriggerDecision,
  TriggerRequestOutcome,
} from "./decisions.ts";
export type { AcknowledgeOutcome, TaskAcknowledgement, TaskCheckpointStats } from "./acknowledgement.ts";
export { CHECKPOINT_CONFIG_DEFAULTS, checkpointConfig } from "./config.ts";
export type { CheckpointConfig, CheckpointConfigOptions } from "./config.ts";
export { countsTowardFailureLimit, describeFailureReason } from "./failure-reason.ts";
export type { CheckpointFailureKind, CheckpointFailureReason } from "./failure-reason.ts";
export type { PendingCheckpointView, PendingState } from "./pending/pending-checkpoint.ts";
export { CheckpointStatsTracker, DEFAULT_STATS_HISTORY_SIZE } from "./stats.ts";
export type { CheckpointStats, CheckpointStatsCounts, CheckpointStatsSnapshot, CheckpointStatus, TaskAckStats } from "./stats.ts";
export { taskId } from "./task-id.ts";
export type { TaskId } from "./task-id.ts";
export type { TriggerCause } from "./trigger-schedule.ts";
export { stopsJob } from "./savepoint-type.ts";
export type { SavepointType } from "./savepoint-type.ts";
