/**
 * When a checkpoint's asynchronous phase gives its task a turn while it encodes keyed state. The
 * snapshot's write is a generator of small steps (a key group each, often a tenth of a
 * millisecond of encoding); the phase runs steps for a slice of time and then yields, rather than
 * after every step. A turn costs a round of the task's thread, and while the snapshot is being
 * written each first write of a key under it records the key's old value (copy-on-write): turns
 * after every step stretched the phase over as many turns as key groups (64 at parallelism 2), and
 * the live state paid for the snapshot all that while. A slice is short enough that records, and
 * a barrier that arrived, still wait no longer than a task step does.
 */
import type { Clock } from "../core/clock.ts";

/** How long the phase encodes before it gives the task a turn. */
export const ENCODING_SLICE_MS = 4;

export class EncodingSlices {
  private sliceStart: number;

  constructor(
    private readonly clock: Clock,
    private readonly sliceMs: number = ENCODING_SLICE_MS,
  ) {
    this.sliceStart = clock.now();
  }

  /** After a step: whether the slice is spent, so the phase gives the task a turn before the next one. */
  turnDue(): boolean {
    return this.clock.now() - this.sliceStart >= this.sliceMs;
  }

  /** The phase had its turn: a new slice starts with the next step. */
  resumed(): void {
    this.sliceStart = this.clock.now();
  }
}
