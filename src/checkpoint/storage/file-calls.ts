/**
 * The filesystem calls a DiskVolume makes, in two forms with one contract. `asyncFileCalls` hands
 * each call to libuv's thread pool and resumes on a later turn of the event loop: the calling
 * thread goes on meanwhile, but each call waits for a pool thread and then for the calling thread
 * to be scheduled again. `blockingFileCalls` makes each call on the calling thread and returns a
 * settled promise: a write's dozen calls cost no thread hand-overs, only the time the disk takes.
 * The blocking form is for a thread that does nothing else (the checkpoint I/O thread) or whose
 * waits are short and rare (the coordinator's metadata writes); under load every hand-over is a
 * wait for a core, which made up most of a checkpoint's duration under back-pressure.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from "node:fs/promises";
import type { Stats } from "node:fs";

export interface FileCalls {
  /** Creates `path` (it must not exist), writes `bytes`, syncs it to disk and closes it. */
  writeNewSynced(path: string, bytes: Uint8Array): Promise<void>;
  /** Opens `path` for reading and syncs it: after a rename or a creation in a directory, makes the entry durable. */
  syncPath(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  readdir(dir: string): Promise<string[]>;
  stat(path: string): Promise<Stats>;
  mkdir(path: string): Promise<void>;
}

export const asyncFileCalls: FileCalls = {
  async writeNewSynced(path, bytes) {
    const handle = await open(path, "wx");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async syncPath(path) {
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, "r");
      await handle.sync();
    } finally {
      await handle?.close();
    }
  },
  rename: (from, to) => rename(from, to),
  rm: (path) => rm(path, { recursive: true, force: true }),
  readFile: (path) => readFile(path),
  readdir: (dir) => readdir(dir),
  stat: (path) => stat(path),
  mkdir: async (path) => {
    await mkdir(path);
  },
};

/** Runs `call` now; its result or error as a settled promise, as the asynchronous form reports them. */
function now<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (e) {
    return Promise.reject(e as Error);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

export const blockingFileCalls: FileCalls = {
  writeNewSynced: (path, bytes) =>
    now(() => {
      const fd = openSync(path, "wx");
      try {
        writeAll(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }),
  syncPath: (path) =>
    now(() => {
      const fd = openSync(path, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }),
  rename: (from, to) => now(() => renameSync(from, to)),
  rm: (path) => now(() => rmSync(path, { recursive: true, force: true })),
  readFile: (path) => now(() => readFileSync(path)),
  readdir: (dir) => now(() => readdirSync(dir)),
  stat: (path) => now(() => statSync(path)),
  mkdir: (path) => now(() => void mkdirSync(path)),
};
