/**
 * The promise a paced source reader hands out from `isAvailable()`: resolved by a timer when the
 * next record is due, shared by every caller until then, and resolved at once by `release()`
 * (when the reader closes), so no waiter is left hanging.
 */
export class AvailabilityTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private waiting: Promise<void> | undefined;

  /** A promise that resolves after `waitMs`, or the one already pending. */
  after(waitMs: number): Promise<void> {
    if (this.waiting !== undefined) return this.waiting;
    this.waiting = new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => this.release(), Math.ceil(waitMs));
    });
    return this.waiting;
  }

  release(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const wake = this.wake;
    this.timer = undefined;
    this.wake = undefined;
    this.waiting = undefined;
    wake?.();
  }
}
