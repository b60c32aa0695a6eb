/**
 * Which completed checkpoints are kept. Owns the list of retained ids, oldest first.
 * Invariant: after `add`, at most `retained` ids remain, the newest ones.
 */
import type { CheckpointId } from "../storage/checkpoint-id.ts";

export class CheckpointRetention {
  private readonly ids: CheckpointId[];

  /** `initial`: completed checkpoints already kept (as found at a restore), in any order. */
  constructor(
    private readonly retained: number,
    initial: readonly CheckpointId[] = [],
  ) {
    this.ids = [...new Set(initial)].sort((a, b) => a - b);
  }

  get retainedIds(): readonly CheckpointId[] {
    return this.ids;
  }

  get latest(): CheckpointId | undefined {
    return this.ids.at(-1);
  }

  /** Keeps the newly completed `id`; returns the ids no longer retained, oldest first. */
  add(id: CheckpointId): CheckpointId[] {
    this.ids.push(id);
    return this.ids.splice(0, Math.max(0, this.ids.length - this.retained));
  }
}
