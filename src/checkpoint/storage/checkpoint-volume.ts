/**
 * The medium a checkpoint storage keeps its files on: a directory tree on disk, a map in memory,
 * later an object store. It knows nothing of checkpoints; `VolumeCheckpointStorage` gives paths
 * their meaning (through `CheckpointPaths`) and decides what to read, write and delete.
 *
 * Guarantees every volume gives:
 * - `writeAtomically` is all or nothing: after it resolves the whole content is at `path` and
 *   survives a crash of the process or the machine; if it fails or the process dies first, `path`
 *   holds its previous content or nothing. Parent directories are created as needed. Half-written
 *   bytes live only under a name for which `isTempFileName` holds.
 * - `read`, `stat` and `list` report a missing path as `undefined` (or `[]`), never as an error.
 * - `remove` deletes a file or a whole directory tree and succeeds when nothing is there.
 * - `move` puts the file at `from` at `to` (parents created as needed) and removes `from`,
 *   durably; where no atomic rename reaches `to` (another device), it copies through
 *   `writeAtomically` first. Either way `to` never holds part of the content.
 * - A failure of the medium itself is a CheckpointIoError naming the path.
 */

export type VolumeEntryKind = "file" | "directory";

export interface VolumeEntry {
  readonly name: string;
  readonly kind: VolumeEntryKind;
  /** Length in bytes for a file, 0 for a directory. */
  readonly size: number;
  /** Last modification, in milliseconds since the epoch. */
  readonly modifiedAt: number;
}

export interface CheckpointVolume {
  /** `pointer` as the absolute, normalized path this volume stores it under. */
  normalize(pointer: string): string;
  writeAtomically(path: string, bytes: Uint8Array): Promise<void>;
  read(path: string): Promise<Uint8Array | undefined>;
  stat(path: string): Promise<Omit<VolumeEntry, "name"> | undefined>;
  /** The files and directories directly inside `dir`, sorted by name. */
  list(dir: string): Promise<VolumeEntry[]>;
  remove(path: string): Promise<void>;
  move(from: string, to: string): Promise<void>;
}
