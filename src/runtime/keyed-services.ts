/**
 * What an operator on keyed input gets from its task: the keyed state backend (whichever the job
 * configured), the timer service, and the key selector of each input. One set per subtask,
 * covering its key-group range.
 */
import type { KeyedStateBackend } from "../state/keyed-state-backend.ts";
import type { InternalTimerService } from "../state/timer-service.ts";

export class KeyedServices {
  constructor(
    readonly backend: KeyedStateBackend,
    readonly timers: InternalTimerService,
    readonly keySelectors: readonly (((value: unknown) => unknown) | undefined)[],
  ) {}

  /** Makes the key of `record` (read by the selector of `inputIndex`) the current key. */
  setCurrentKeyOf(record: unknown, inputIndex: 0 | 1): void {
    const selector = this.keySelectors[inputIndex];
    if (selector !== undefined) this.backend.setCurrentKey(selector(record));
  }

  registerTimer(time: number): void {
    this.timers.register(this.backend.getCurrentKey(), this.backend.getCurrentKeyGroup(), time);
  }

  /** Fires due timers in time order, each with its key made current first. */
  fireDueTimers(now: number, onTimer: (time: number) => void): void {
    this.timers.fireDue(now, (time, key) => {
      this.backend.setCurrentKey(key);
      onTimer(time);
    });
  }

  deleteTimer(time: number): void {
    this.timers.delete(this.backend.getCurrentKey(), this.backend.getCurrentKeyGroup(), time);
  }
}
