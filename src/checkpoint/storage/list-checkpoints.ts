/**
 * The checkpoints under a root, across jobs, for `weir checkpoints <dir>`: rows to print, and the
 * table they print as.
 */
import { formatTable } from "../../core/text-table.ts";
import { basename, dirname } from "node:path";
import type { CheckpointId } from "./checkpoint-id.ts";
import { DEFAULT_CHECKPOINT_ROOT, isValidJobId, parseCheckpointDirName } from "./checkpoint-paths.ts";
import type { CheckpointStatus } from "./checkpoint-storage.ts";
import { CheckpointNotFoundError } from "./checkpoint-storage-errors.ts";
import type { CheckpointVolume } from "./checkpoint-volume.ts";
import { DiskVolume } from "./disk-volume.ts";
import { VolumeCheckpointStorage } from "./volume-checkpoint-storage.ts";

export interface CheckpointRow {
  readonly jobId: string;
  readonly checkpointId: CheckpointId;
  readonly status: CheckpointStatus;
  /** Milliseconds since the epoch; see CheckpointListing.time. */
  readonly time: number;
  /** The checkpoint's own bytes: the files in its directory. */
  readonly sizeBytes: number;
  /** Bytes of the files under `shared/` it references (incremental checkpoints); see CheckpointListing.sharedBytes. */
  readonly sharedBytes: number;
  /** Bytes of the records in flight it stored (unaligned checkpoints); see CheckpointListing.inFlightBytes. */
  readonly inFlightBytes: number;
  /** The `chk-<n>` directory: what `--from` takes. */
  readonly path: string;
  /** For corrupt checkpoints: what is wrong. */
  readonly problem?: string;
}

async function rowsOfJob(volume: CheckpointVolume, root: string, jobId: string): Promise<CheckpointRow[]> {
  const listings = await new VolumeCheckpointStorage({ volume, root, jobId }).list();
  return listings.map((l) => ({ jobId, ...l }));
}

/**
 * Every `chk-<n>` directory under `root`, as rows ordered by job id, then checkpoint id. `root` is a
 * directory of job directories (`<root>/<jobId>/chk-<n>`), or a job directory itself (one holding
 * `chk-<n>` directories). Directories that are neither are skipped. A `root` that does not exist
 * or is not a directory is WEIR_ERR_CHECKPOINT_NOT_FOUND. `volume` defaults to the local disk.
 */
export async function listCheckpoints(root: string = DEFAULT_CHECKPOINT_ROOT, options: { volume?: CheckpointVolume } = {}): Promise<CheckpointRow[]> {
  const volume = options.volume ?? new DiskVolume();
  const dir = volume.normalize(root);
  const found = await volume.stat(dir);
  if (found === undefined) throw new CheckpointNotFoundError(dir, `no checkpoints at ${dir}: nothing is there`);
  if (found.kind !== "directory") throw new CheckpointNotFoundError(dir, `no checkpoints at ${dir}: it is a file, not a directory`);
  const entries = (await volume.list(dir)).filter((e) => e.kind === "directory");
  if (entries.some((e) => parseCheckpointDirName(e.name) !== undefined) && isValidJobId(basename(dir))) {
    return rowsOfJob(volume, dirname(dir), basename(dir));
  }
  const jobs = entries.map((e) => e.name).filter(isValidJobId).sort();
  const rows = await Promise.all(jobs.map((jobId) => rowsOfJob(volume, dir, jobId)));
  return rows.flat();
}

/** 512 B, 1.5 KiB, 20.0 MiB: binary units, one decimal above bytes. */
export function formatBytes(bytes: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The time in UTC to the second, as `2026-01-31T12:00:05Z`. */
function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The rows as a table with a header: job, id, status, time, own bytes (the checkpoint directory's
 * files), shared bytes (the files of `shared/` it references, written by it or by earlier
 * incremental checkpoints), in-flight bytes (records in flight an unaligned checkpoint stored, a
 * part of its own and shared bytes) and path, columns padded to line up, numbers right-aligned; then one
 * line per corrupt checkpoint saying what is wrong. No rows give "no checkpoints". The text ends
 * with a newline.
 */
export function formatCheckpointTable(rows: readonly CheckpointRow[]): string {
  if (rows.length === 0) return "no checkpoints\n";
  const cells = rows.map((r) => [r.jobId, String(r.checkpointId), r.status, formatTime(r.time), formatBytes(r.sizeBytes), formatBytes(r.sharedBytes), formatBytes(r.inFlightBytes), r.path]);
  const problems = rows.filter((r) => r.problem !== undefined).map((r) => `${r.jobId} chk-${r.checkpointId}: ${r.problem}`);
  return [...formatTable(["JOB", "ID", "STATUS", "TIME", "OWN", "SHARED", "IN-FLIGHT", "PATH"], cells, new Set([1, 4, 5, 6])), ...problems].join("\n") + "\n";
}
