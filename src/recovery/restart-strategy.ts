/**
 * Restart strategies decide, for each failure of a job, whether it restarts and after how long.
 * Pure: the time of the failure is passed in, randomness is injected, nothing is scheduled.
 *
 * Contract of every implementation:
 * - `onFailure` is called once per failure, with non-decreasing `now`;
 * - once it answers `fail`, it answers `fail` (with the same reason) for every later failure;
 * - `delayMs` is a whole number of milliseconds, at least 0; `attempt` counts restarts from 1.
 */

/** A failure of the job as the strategy sees it. */
export interface RestartFailure {
  readonly cause: unknown;
}

export type RestartDecision =
  /** Restart the job `delayMs` after the failure; this is restart number `attempt`. */
  | { readonly kind: "restart"; readonly delayMs: number; readonly attempt: number }
  /** Do not restart: the job fails for good. */
  | { readonly kind: "fail"; readonly reason: string };

export interface RestartStrategy {
  onFailure(now: number, failure: RestartFailure): RestartDecision;
}

/** Uniform numbers in [0, 1), such as `Math.random`; injected so that tests fix them. */
export type RandomSource = () => number;
