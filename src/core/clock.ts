/** Time as decision code sees it: injected, so tests drive it by hand. Milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  private time: number;
  constructor(start = 0) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
  set(time: number): void {
    this.time = time;
  }
}

/** The longest delay `setTimeout` takes: Node turns a longer one into 1 ms (with a warning). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * The `setTimeout` delay from `now` until `deadline`: at least 0 and at most MAX_TIMER_DELAY_MS, so
 * a deadline weeks away wakes the caller early, once, rather than every millisecond; a caller
 * re-checks its deadline when it wakes.
 */
export function timerDelay(deadline: number, now: number): number {
  return Math.min(MAX_TIMER_DELAY_MS, Math.max(0, deadline - now));
}
