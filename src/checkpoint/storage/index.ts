/** Public entry of checkpoint storage: the contract, its two implementations, the layout and the metadata format. */
export { checkpointId, isCheckpointId, type CheckpointId } from "./checkpoint-id.ts";
export {
  CheckpointPaths,
  DEFAULT_CHECKPOINT_ROOT,
  METADATA_FILE_NAME,
  SHARED_DIR_NAME,
  TASK_OWNED_DIR_NAME,
  checkpointDirName,
  encodeNameComponent,
  isTempFileName,
  isValidJobId,
  metadataFileIn,
  parseCheckpointDirName,
  savepointDir,
  type StateFileOwner,
} from "./checkpoint-paths.ts";
export {
  CHECKPOINT_FORMAT_VERSION,
  checkMetadata,
  isInlineState,
  type CheckpointMetadata,
  type InlineStateHandle,
  type JsonValue,
  type MetadataCheck,
  type OperatorStateMetadata,
  type StateHandle,
  type SubtaskStateMetadata,
} from "./checkpoint-metadata.ts";
export { decodeMetadata, encodeMetadata } from "./metadata-codec.ts";
export type {
  CancelPolicy,
  CheckpointListing,
  CheckpointPointer,
  CheckpointStatus,
  CheckpointStorage,
  ResolvedCheckpoint,
  StopSavepointRecord,
  WriteSavepointOptions,
} from "./checkpoint-storage.ts";
export {
  CheckpointCorruptError,
  CheckpointExistsError,
  CheckpointIncompleteError,
  CheckpointIoError,
  CheckpointNotFoundError,
  CheckpointStorageError,
  StateFileMissingError,
  type CorruptionReason,
} from "./checkpoint-storage-errors.ts";
export type { CheckpointVolume, VolumeEntry, VolumeEntryKind } from "./checkpoint-volume.ts";
export { DiskVolume } from "./disk-volume.ts";
export { MemoryVolume } from "./memory-volume.ts";
export { VolumeCheckpointStorage, type VolumeCheckpointStorageOptions } from "./volume-checkpoint-storage.ts";
export { FileCheckpointStorage, type FileCheckpointStorageOptions } from "./file-checkpoint-storage.ts";
export { DEFAULT_MEMORY_CHECKPOINT_ROOT, MemoryCheckpointStorage, type MemoryCheckpointStorageOptions } from "./memory-checkpoint-storage.ts";
export { planRetainOnCancel, planRetention, type CheckpointFacts, type RetentionPlan } from "./checkpoint-retention.ts";
export { listCheckpoints, formatBytes, formatCheckpointTable, type CheckpointRow } from "./list-checkpoints.ts";
