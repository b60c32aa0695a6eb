/** Checkpoints of one job in a directory tree on the local filesystem (see CheckpointPaths for the layout). */
import { DEFAULT_CHECKPOINT_ROOT } from "./checkpoint-paths.ts";
import { DiskVolume } from "./disk-volume.ts";
import { VolumeCheckpointStorage } from "./volume-checkpoint-storage.ts";

export interface FileCheckpointStorageOptions {
  readonly jobId: string;
  /** The directory holding one directory per job; relative paths start at the working directory. Default `./.weir/checkpoints`. */
  readonly root?: string;
  /** State smaller than this many bytes goes inside `_metadata` instead of a file; default 0 (none). */
  readonly memoryThreshold?: number;
}

export class FileCheckpointStorage extends VolumeCheckpointStorage {
  constructor(options: FileCheckpointStorageOptions) {
    super({ volume: new DiskVolume(), root: options.root ?? DEFAULT_CHECKPOINT_ROOT, jobId: options.jobId, ...(options.memoryThreshold === undefined ? {} : { memoryThreshold: options.memoryThreshold }) });
  }
}
