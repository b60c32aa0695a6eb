/**
 * When the next checkpoint may start. Owns the periodic due time, the minimum pause after the
 * last checkpoint ended, and the one outstanding manual request; it knows nothing of how many
 * checkpoints are in progress (the coordinator checks that before asking).
 *
 * Rules:
 * - a periodic checkpoint is due `intervalMs` after the previous trigger of any cause (or after
 *   the start), and never sooner than `minPauseMs` after the last end;
 * - a manual request ignores both: it starts as soon as a slot is free;
 * - manual requests coalesce: any checkpoint triggered after a request satisfies it;
 * - a retry of the final checkpoint (after the job's input ended and the final one was aborted)
 *   keeps the periodic rules: due `intervalMs` after the previous trigger and no sooner than
 *   `minPauseMs` after the abort, so a checkpoint that keeps failing is not retried in a loop.
 */

/** Why a checkpoint was triggered. */
export type TriggerCause = "periodic" | "manual";

export class TriggerSchedule {
  private nextPeriodic: number;
  private lastEnd: number | undefined;
  private manualWaiting = false;
  /** False once the job's input ended: only manual checkpoints (the final one) remain. */
  private periodic = true;
  /** The final checkpoint was aborted and is to be taken again, on the periodic schedule. */
  private finalRetry = false;

  constructor(
    private readonly intervalMs: number,
    private readonly minPauseMs: number,
    start: number,
  ) {
    this.nextPeriodic = start + intervalMs;
  }

  /** Earliest time at which a periodic checkpoint may start. */
  periodicDueAt(): number {
    return this.lastEnd === undefined ? this.nextPeriodic : Math.max(this.nextPeriodic, this.lastEnd + this.minPauseMs);
  }

  /** The cause of the checkpoint to start at `now`, given a free slot, or undefined if none is due. */
  due(now: number): TriggerCause | undefined {
    if (this.manualWaiting) return "manual";
    if (now < this.periodicDueAt()) return undefined;
    if (this.periodic) return "periodic";
    return this.finalRetry ? "manual" : undefined;
  }

  /** Whether time alone can make a checkpoint due: a periodic one, or the retry of the final one. */
  get waitsForTime(): boolean {
    return this.periodic || this.finalRetry;
  }

  /** The final checkpoint was aborted: take it again when a periodic one would be due. */
  retryFinal(): void {
    this.finalRetry = true;
  }

  stopPeriodic(): void {
    this.periodic = false;
  }

  get manualRequested(): boolean {
    return this.manualWaiting;
  }

  requestManual(): void {
    this.manualWaiting = true;
  }

  /** Forgets a waiting manual request; true if there was one. */
  dropManual(): boolean {
    const had = this.manualWaiting;
    this.manualWaiting = false;
    return had;
  }

  onTriggered(now: number): void {
    this.nextPeriodic = now + this.intervalMs;
    this.manualWaiting = false;
    this.finalRetry = false;
  }

  onEnded(now: number): void {
    this.lastEnd = now;
  }

  /** Starts the periodic schedule over from `now`, as when checkpointing resumes. */
  restart(now: number): void {
    this.nextPeriodic = now + this.intervalMs;
    this.periodic = true;
    this.finalRetry = false;
  }
}
