/** Checkpoints of one job in a directory tree on the local filesystem (see CheckpointPaths for the layout). */
import { DEFAULT_CHECKPOINT_ROOT } from "./checkpoint-paths.ts";
import type { IoThreadVolume } from "./io-thread-volume.ts";
import { DiskVolume } from "./disk-volume.ts";
import { VolumeCheckpointStorage } from "./volume-checkpoint-storage.ts";

export interface FileCheckpointStorageOptions {
  readonly jobId: string;
  /** The directory holding one directory per job; relative paths start at the working directory. Default `./.weir/checkpoints`. */
  readonly root?: string;
  /** State smaller than this many bytes goes inside `_metadata` instead of a file; default 0 (none). */
  readonly memoryThreshold?: number;
  /** Where the files are changed: a DiskVolume on the calling thread unless given (an IoThreadVolume changes them on a thread of its own). */
  readonly volume?: DiskVolume | IoThreadVolume;
}

export class FileCheckpointStorage extends VolumeCheckpointStorage {
  constructor(options: FileCheckpointStorageOptions) {
    super({ volume: options.volume ?? new DiskVolume(), root: options.root ?? DEFAULT_CHECKPOINT_ROOT, jobId: options.jobId, ...(options.memoryThreshold === undefined ? {} : { memoryThreshold: options.memoryThreshold }) });
  }
}
