/**
 * A task's local copies of the state files it writes for checkpoints (Flink's
 * `TaskLocalStateStore`), for local recovery: each file the task hands to the checkpoint storage is
 * also written, from the same bytes and at the same time, to a directory on this machine
 * (local-state-paths.ts). A restart on this machine reads the copies first (local-state-reader.ts).
 *
 * Guarantees: a copy is written under a temp name and renamed, so a copy under its final name is
 * whole unless the disk changed it (reads check it against the handle's checksum anyway); a copy
 * that cannot be written is left out and never fails the checkpoint (the restore then reads the
 * storage); after `confirm(n)` the task's directories hold only what local-copy-retention.ts keeps.
 * Not guaranteed: durability. Copies are not synced, since the checkpoint storage holds the
 * durable bytes; a copy a crash lost or tore is read from the storage instead.
 */
import { randomUUID } from "node:crypto";
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StateHandle } from "../storage/checkpoint-metadata.ts";
import { targetOfTempFile, tempFileFor, type StateFileOwner } from "../storage/checkpoint-paths.ts";
import { makeDirectories } from "../../core/directories.ts";
import { copiesToDelete, copiesToKeep, forgottenCheckpoints } from "./local-copy-retention.ts";
import type { LocalStatePaths } from "./local-state-paths.ts";

/** One state file a task reported for a checkpoint, with its writer. */
export interface ReportedStateFile {
  readonly owner: StateFileOwner;
  readonly handle: Pick<StateHandle, "path">;
}

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

export class TaskLocalStateStore {
  /** Copies written (or being written), per checkpoint id. */
  private readonly written = new Map<number, Set<string>>();
  /** Copies of the files each checkpoint's acknowledgement references. */
  private readonly reported = new Map<number, Set<string>>();
  /** The subtask directories this store wrote into or reported for. */
  private readonly dirs = new Set<string>();
  /** Checkpoints aborted or confirmed past: a copy for one of them that finishes late is removed, not kept. */
  private newestConfirmed = -1;
  private readonly aborted = new Set<number>();

  constructor(readonly paths: LocalStatePaths) {}

  /**
   * Writes the copy of `bytes`, which the checkpoint storage holds behind `handle`, for checkpoint
   * `checkpointId`. Never rejects: a copy that cannot be written is not there.
   */
  async store(checkpointId: number, owner: StateFileOwner, handle: Pick<StateHandle, "path">, bytes: Uint8Array): Promise<void> {
    const dir = this.paths.subtaskDir(owner);
    const path = this.paths.copyOf(owner, handle);
    let paths = this.written.get(checkpointId);
    if (paths === undefined) this.written.set(checkpointId, (paths = new Set()));
    paths.add(path);
    this.dirs.add(dir);
    const temp = tempFileFor(path, randomUUID());
    try {
      await makeDirectories(dir);
      await writeFile(temp, bytes);
      await rename(temp, path);
    } catch {
      paths.delete(path);
      await rm(temp, { force: true }).catch(() => undefined);
      return;
    }
    if (this.aborted.has(checkpointId) || checkpointId < this.newestConfirmed) await rm(path, { force: true }).catch(() => undefined);
  }

  /** The task acknowledged checkpoint `checkpointId` with these files: their copies are what it restores from. */
  acknowledged(checkpointId: number, files: readonly ReportedStateFile[]): void {
    const paths = new Set<string>();
    for (const { owner, handle } of files) {
      paths.add(this.paths.copyOf(owner, handle));
      this.dirs.add(this.paths.subtaskDir(owner));
    }
    this.reported.set(checkpointId, paths);
  }

  /** Checkpoint `checkpointId` completed: copies of the checkpoints it subsumes are deleted. */
  async confirm(checkpointId: number): Promise<void> {
    if (checkpointId <= this.newestConfirmed) return;
    this.newestConfirmed = checkpointId;
    const keep = copiesToKeep(checkpointId, this.written, this.reported);
    for (const id of forgottenCheckpoints(checkpointId, new Set([...this.written.keys(), ...this.reported.keys()]))) {
      this.written.delete(id);
      this.reported.delete(id);
    }
    for (const id of this.aborted) if (id < checkpointId) this.aborted.delete(id);
    await this.removeAllBut(keep);
  }

  /** Checkpoint `checkpointId` was aborted: its copies that no other checkpoint needs are deleted. */
  async discard(checkpointId: number): Promise<void> {
    this.aborted.add(checkpointId);
    const mine = this.written.get(checkpointId);
    this.written.delete(checkpointId);
    this.reported.delete(checkpointId);
    if (mine === undefined) return;
    const needed = new Set<string>();
    for (const byCheckpoint of [this.written, this.reported]) for (const paths of byCheckpoint.values()) for (const path of paths) needed.add(path);
    await Promise.all([...mine].filter((p) => !needed.has(p)).map((p) => rm(p, { force: true }).catch(() => undefined)));
  }

  private async removeAllBut(keep: ReadonlySet<string>): Promise<void> {
    for (const dir of this.dirs) {
      const doomed = copiesToDelete(await filesIn(dir), keep, targetOfTempFile);
      await Promise.all(doomed.map((path) => rm(path, { force: true }).catch(() => undefined)));
    }
  }
}
