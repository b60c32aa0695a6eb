/**
 * Creating a directory with its missing parents, as `mkdir(dir, { recursive: true })` does, but
 * one level at a time. Node 20's recursive mkdir never returns for a path under a file system that
 * refuses new directories with ENOENT although the parent exists (procfs: `/proc/out`): it retries
 * the parent, finds it, and tries the child again, forever, on a thread that then ignores every
 * signal. Here that ENOENT is thrown.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** The directories to create for `dir`, outermost first: `dir` and its ancestors that do not exist. */
function missing(dir: string, exists: (path: string) => boolean): string[] {
  const chain: string[] = [];
  for (let current = resolve(dir); !exists(current); current = dirname(current)) {
    chain.unshift(current);
    if (dirname(current) === current) break;
  }
  return chain;
}

const isEexist = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === "EEXIST";

/** Creates `dir` and its missing parents; returns the first directory created, or undefined if `dir` existed (as recursive mkdir does). */
export function makeDirectoriesSync(dir: string): string | undefined {
  const chain = missing(dir, existsSync);
  let first: string | undefined;
  for (const path of chain) {
    try {
      mkdirSync(path);
      first ??= path;
    } catch (e) {
      // Created meanwhile by another writer: fine if it is a directory.
      if (!isEexist(e) || !statSync(path).isDirectory()) throw e;
    }
  }
  return first;
}

/** The calls makeDirectories makes; those of `node:fs/promises` unless given. */
export interface DirectoryCalls {
  stat(path: string): Promise<{ isDirectory(): boolean }>;
  mkdir(path: string): Promise<unknown>;
}

const promisedCalls: DirectoryCalls = { stat, mkdir: (path) => mkdir(path) };

/** The asynchronous form of makeDirectoriesSync. */
export async function makeDirectories(dir: string, calls: DirectoryCalls = promisedCalls): Promise<string | undefined> {
  const exists = new Set<string>();
  for (let current = resolve(dir); ; current = dirname(current)) {
    if ((await calls.stat(current).catch(() => undefined)) !== undefined) {
      exists.add(current);
      break;
    }
    if (dirname(current) === current) break;
  }
  let first: string | undefined;
  for (const path of missing(dir, (path) => exists.has(path))) {
    try {
      await calls.mkdir(path);
      first ??= path;
    } catch (e) {
      if (!isEexist(e) || !(await calls.stat(path)).isDirectory()) throw e;
    }
  }
  return first;
}
