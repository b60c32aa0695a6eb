/**
 * Which local state copies a task keeps: pure decisions over what it wrote and what it reported,
 * with the files carried out by the store (task-local-state-store.ts).
 *
 * A task keeps, per operator subtask, the copies of the files its newest confirmed checkpoint
 * references (which may include files written for an earlier checkpoint, when an incremental
 * checkpoint reuses them), and every copy written or reported for a newer checkpoint, still
 * pending. Everything else in its directories goes once a checkpoint is confirmed: copies of
 * subsumed checkpoints, of aborted ones, of earlier attempts or runs, and temp files of writes
 * that never finished.
 */

/** Full paths of copies, per checkpoint id. */
export type CopiesByCheckpoint = ReadonlyMap<number, ReadonlySet<string>>;

/** The copies to keep once checkpoint `confirmed` completed. */
export function copiesToKeep(confirmed: number, written: CopiesByCheckpoint, reported: CopiesByCheckpoint): Set<string> {
  const keep = new Set<string>(reported.get(confirmed) ?? []);
  for (const byCheckpoint of [written, reported]) {
    for (const [id, paths] of byCheckpoint) if (id > confirmed) for (const path of paths) keep.add(path);
  }
  return keep;
}

/**
 * Of the files found in a subtask directory (full paths), those to delete: every one not kept.
 * A temp file (`.<name>.<unique>.tmp`) is kept while its copy is, since it may be that copy being written.
 */
export function copiesToDelete(found: readonly string[], keep: ReadonlySet<string>, tempTarget: (path: string) => string | undefined): string[] {
  return found.filter((path) => !keep.has(tempTarget(path) ?? path));
}

/** The checkpoints whose bookkeeping can go once `confirmed` completed: every older one. */
export function forgottenCheckpoints(confirmed: number, known: Iterable<number>): number[] {
  return [...known].filter((id) => id < confirmed);
}
