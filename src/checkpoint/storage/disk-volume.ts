/**
 * Checkpoint files on a local filesystem. An atomic write goes to a temp name beside the target,
 * is synced, renamed over the target, and the directory is synced; directories are created with
 * their parents synced, so a new directory entry survives a crash too. A directory this volume
 * made is not made again when another volume removed it: the write fails instead. It makes its
 * calls asynchronously, or blocking where the calling thread has nothing better to do (file-calls.ts).
 */
import { randomUUID } from "node:crypto";
import { dirname, join, resolve, sep } from "node:path";
import { makeDirectories } from "../../core/directories.ts";
import { tempFileFor } from "./checkpoint-paths.ts";
import { CheckpointIoError } from "./checkpoint-storage-errors.ts";
import type { CheckpointVolume, VolumeEntry } from "./checkpoint-volume.ts";
import { asyncFileCalls, type FileCalls } from "./file-calls.ts";

/** The path does not exist, or a component of it is not a directory. */
function isAbsent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Filesystems and platforms that cannot sync a directory say so with these; there is nothing more to do. */
function isDirectorySyncUnsupported(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "EISDIR" || code === "EINVAL" || code === "EPERM" || code === "ENOTSUP";
}

async function syncDirectory(calls: FileCalls, dir: string): Promise<void> {
  try {
    await calls.syncPath(dir);
  } catch (error) {
    if (!isDirectorySyncUnsupported(error)) throw new CheckpointIoError(dir, "sync", error);
  }
}

/** Writes and syncs a temp file beside `path`, then renames it to `path`; on failure no temp file is left. */
async function writeThroughTemp(calls: FileCalls, path: string, bytes: Uint8Array): Promise<void> {
  const temp = tempFileFor(path, randomUUID());
  try {
    await calls.writeNewSynced(temp, bytes);
    await calls.rename(temp, path);
  } catch (error) {
    await calls.rm(temp).catch(() => undefined);
    throw error;
  }
}

export class DiskVolume implements CheckpointVolume {
  /** Directories this volume created or found, with their entries in their parents synced. */
  private readonly durableDirs = new Set<string>();

  /** `calls`: the filesystem calls it makes, asynchronous unless given (see file-calls.ts). */
  constructor(private readonly calls: FileCalls = asyncFileCalls) {}

  normalize(pointer: string): string {
    return resolve(pointer);
  }

  async writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
    const dir = dirname(path);
    await this.ensureDirectory(dir);
    try {
      await writeThroughTemp(this.calls, path, bytes);
    } catch (error) {
      // A directory this volume made and another one removed is not made again: whoever removed
      // it discarded what it held (an aborted checkpoint), and a write into it must fail.
      if (isAbsent(error)) this.durableDirs.delete(dir);
      throw new CheckpointIoError(path, "write", error);
    }
    await syncDirectory(this.calls, dir);
  }

  async move(from: string, to: string): Promise<void> {
    const dir = dirname(to);
    await this.ensureDirectory(dir);
    try {
      await this.calls.rename(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw new CheckpointIoError(from, "write", error);
      const bytes = await this.read(from);
      if (bytes === undefined) throw new CheckpointIoError(from, "read", error);
      await this.writeAtomically(to, bytes);
      await this.remove(from);
    }
    await syncDirectory(this.calls, dir);
    await syncDirectory(this.calls, dirname(from));
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    try {
      const buffer = await this.calls.readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if (isAbsent(error)) return undefined;
      throw new CheckpointIoError(path, "read", error);
    }
  }

  async stat(path: string): Promise<Omit<VolumeEntry, "name"> | undefined> {
    try {
      const stats = await this.calls.stat(path);
      if (stats.isDirectory()) return { kind: "directory", size: 0, modifiedAt: Math.floor(stats.mtimeMs) };
      if (stats.isFile()) return { kind: "file", size: stats.size, modifiedAt: Math.floor(stats.mtimeMs) };
      return undefined;
    } catch (error) {
      if (isAbsent(error)) return undefined;
      throw new CheckpointIoError(path, "inspect", error);
    }
  }

  async list(dir: string): Promise<VolumeEntry[]> {
    let names: string[];
    try {
      names = await this.calls.readdir(dir);
    } catch (error) {
      if (isAbsent(error)) return [];
      throw new CheckpointIoError(dir, "list", error);
    }
    const entries = await Promise.all(
      names.map(async (name): Promise<VolumeEntry | undefined> => {
        const found = await this.stat(join(dir, name));
        return found === undefined ? undefined : { name, ...found };
      }),
    );
    return entries.filter((e): e is VolumeEntry => e !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async remove(path: string): Promise<void> {
    for (const dir of this.durableDirs) {
      if (dir === path || dir.startsWith(path + sep)) this.durableDirs.delete(dir);
    }
    try {
      await this.calls.rm(path);
    } catch (error) {
      throw new CheckpointIoError(path, "delete", error);
    }
  }

  /**
   * Creates `dir` and its missing parents, then syncs the parent of each directory that may be new:
   * every one this call created, and `dir` itself, which a concurrent writer may have just created.
   */
  private async ensureDirectory(dir: string): Promise<void> {
    if (this.durableDirs.has(dir)) return;
    let firstCreated: string | undefined;
    try {
      firstCreated = await makeDirectories(dir, this.calls);
    } catch (error) {
      throw new CheckpointIoError(dir, "create", error);
    }
    const stop = firstCreated ?? dir;
    for (let current = dir; ; current = dirname(current)) {
      await syncDirectory(this.calls, dirname(current));
      if (current === stop || dirname(current) === current) break;
    }
    this.durableDirs.add(dir);
  }
}
