/**
 * Checkpoints of one job in memory: the fake for tests of code that checkpoints. It keeps every
 * guarantee of CheckpointStorage except surviving the process. Storages of several jobs, or several
 * storages of one job (a restarted job), share files by sharing one MemoryVolume.
 */
import type { Clock } from "../../core/clock.ts";
import { MemoryVolume } from "./memory-volume.ts";
import { VolumeCheckpointStorage } from "./volume-checkpoint-storage.ts";

export const DEFAULT_MEMORY_CHECKPOINT_ROOT = "/memory/checkpoints";

export interface MemoryCheckpointStorageOptions {
  readonly jobId: string;
  /** Default `/memory/checkpoints`. */
  readonly root?: string;
  /** The files; a fresh, empty volume by default. */
  readonly volume?: MemoryVolume;
  /** Stamps file and directory times of a fresh volume; ignored when `volume` is given. */
  readonly clock?: Clock;
  /** State smaller than this many bytes goes inside `_metadata` instead of a file; default 0 (none). */
  readonly memoryThreshold?: number;
}

export class MemoryCheckpointStorage extends VolumeCheckpointStorage {
  /** The files behind this storage, for tests to inspect or damage. */
  readonly volume: MemoryVolume;

  constructor(options: MemoryCheckpointStorageOptions) {
    const volume = options.volume ?? new MemoryVolume(options.clock === undefined ? {} : { clock: options.clock });
    super({ volume, root: options.root ?? DEFAULT_MEMORY_CHECKPOINT_ROOT, jobId: options.jobId, ...(options.memoryThreshold === undefined ? {} : { memoryThreshold: options.memoryThreshold }) });
    this.volume = volume;
  }
}
