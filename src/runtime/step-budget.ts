/**
 * How many records of a batch one task step hands to its operator before it looks at the clock
 * again, and when it stops (the rest of the batch waits for a later step). Between steps the task
 * takes priority actions (an unaligned barrier that arrived) and its thread handles I/O (the
 * writes of a checkpoint's asynchronous phase), so a step should end close to its budget, however
 * slow the records are, much as Flink's mailbox takes mail between records.
 *
 * Runs grow from one record: each next run is what fits into the rest of the budget at the pace
 * of the records so far, but at most as many records as were done (the pace of a few records read
 * off a millisecond clock may be 0) and at most `MAX_RUN` (fast records read the clock once per
 * `MAX_RUN`). A step over records of `p` ms each thus ends within about `max(2p, budget + p)`.
 */

/** The most records handed over between two looks at the clock. */
export const MAX_RUN = 32;

/**
 * The next run of a step that handed over `done` records in `elapsedMs` of its `budgetMs`: how
 * many records to hand over before looking at the clock again, or 0 when the step is over.
 */
export function nextRun(done: number, elapsedMs: number, budgetMs: number): number {
  // The first record before anything else: a clock that moved since the step began must not make
  // a step that hands over nothing.
  if (done === 0) return 1;
  if (elapsedMs >= budgetMs) return 0;
  const fit = elapsedMs <= 0 ? MAX_RUN : Math.floor(((budgetMs - elapsedMs) * done) / elapsedMs);
  return Math.max(1, Math.min(fit, done, MAX_RUN));
}
