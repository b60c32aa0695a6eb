/**
 * What an operator on keyed input gets from its task: the keyed state backend (whichever the job
 * configured), the timer service, and the key selector of each input. One set per subtask,
 * covering its key-group range. Timers are scoped to the backend's current key.
 */
import type { KeyedStateBackend } from "../state/keyed-state-backend.ts";
import { InternalTimerService } from "../state/internal-timer-service.ts";

export class KeyedServices {
  /** The operator's timers, in both time domains; namespaced, for operators that need it (windows). */
  readonly timers: InternalTimerService<unknown>;

  constructor(
    readonly backend: KeyedStateBackend,
    readonly keySelectors: readonly (((value: unknown) => unknown) | undefined)[],
    /** Checkpoints of this state are incremental: the backend keeps a changelog (see KeyedStateBackend.snapshotChanges). */
    readonly incremental = false,
  ) {
    this.timers = new InternalTimerService<unknown>(backend);
  }

  /** Makes the key of `record` (read by the selector of `inputIndex`) the current key. */
  setCurrentKeyOf(record: unknown, inputIndex: 0 | 1): void {
    const selector = this.keySelectors[inputIndex];
    if (selector !== undefined) this.backend.setCurrentKey(selector(record));
  }
}
