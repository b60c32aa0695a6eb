/**
 * What kind of savepoint a snapshot is (Flink's SavepointType); a snapshot without one is a
 * checkpoint. A savepoint belongs to the user, not to the job's fault tolerance:
 *
 * - `savepoint` (taken while the job runs, Flink's intermediate savepoint): it is not retained with
 *   the checkpoints, never restored after a failure, never subsumes a pending checkpoint nor is
 *   subsumed by one, and its failure does not count toward the tolerable checkpoint failures. The
 *   tasks are not told that it completed, so two-phase-commit sinks commit its transactions with
 *   the next checkpoint that completes: the job's output stays exactly-once whatever it restores
 *   after a failure (as in Flink since 1.15, where intermediate savepoints commit no side effects).
 * - `savepoint-suspend` (stop without drain): the sources stop right after their snapshot and
 *   every task takes no more input once it snapshotted; on completion the tasks are told (sinks
 *   commit), then they close without ending their input, so windows and timers stay in the
 *   savepoint unfired. Its completion stops the coordinator; if it fails, the tasks resume.
 * - `savepoint-terminate` (stop with drain): the sources end their input first (the maximum
 *   watermark fires every window), and the job's final checkpoint is this savepoint; on
 *   completion the tasks are told (sinks commit) and close. If it fails it is retried, as the
 *   final checkpoint is.
 */
export type SavepointType = "savepoint" | "savepoint-suspend" | "savepoint-terminate";

/** Whether completing a snapshot of this type ends the job (the tasks close afterwards). */
export function stopsJob(type: SavepointType | undefined): boolean {
  return type === "savepoint-suspend" || type === "savepoint-terminate";
}
