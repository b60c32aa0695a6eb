/**
 * The keyed-state benchmark's source: record `index` is key `index` for index < keys (the fill:
 * every key once), then a random key in [0, keys), drawn from (seed 0, index). Subtask i of p makes
 * the indexes i, i + p, i + 2p, ..., without end; its read position is the next index, so a
 * restored reader continues where the checkpoint left it (past the fill).
 *
 * Rate: the fill goes as fast as the job takes it; the updates after it, when `updatesPerSecond`
 * is set, at that rate over all subtasks, paced from the subtask's first update (or its first
 * poll after a restore). A reader that falls behind catches up in batches.
 */
import { AVAILABLE, SeededRandom } from "../../src/index.ts";
import { AvailabilityTimer } from "../../src/sources/availability-timer.ts";
import type { Clock, InputStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from "../../src/index.ts";

export interface KeyedStateSourceOptions {
  readonly keys: number;
  /** Records per second after the fill, over all subtasks; absent: unlimited. */
  readonly updatesPerSecond?: number;
}

export function keyedStateSource(options: KeyedStateSourceOptions): Source<number> {
  const { keys, updatesPerSecond } = options;
  if (!(Number.isSafeInteger(keys) && keys >= 1)) throw new Error(`keys must be a positive integer, got ${keys}`);
  if (updatesPerSecond !== undefined && !(updatesPerSecond > 0)) throw new Error(`updatesPerSecond must be positive, got ${updatesPerSecond}`);
  return {
    boundedness: "unbounded",
    createReader: (context) => new KeyedStateReader(context, keys, updatesPerSecond === undefined ? 0 : (1000 * context.parallelism) / updatesPerSecond),
  };
}

class KeyedStateReader implements SourceReader<number> {
  private next: number;
  private readonly stride: number;
  private readonly random = new SeededRandom(0);
  private readonly clock: Clock;
  /** When the paced updates started, and how many were emitted since. */
  private pacedFrom = Number.NaN;
  private paced = 0;
  private readonly availability = new AvailabilityTimer();

  constructor(
    context: SourceReaderContext,
    private readonly keys: number,
    /** Milliseconds between two updates of this subtask; 0 when not paced. */
    private readonly interval: number,
  ) {
    this.stride = context.parallelism;
    this.clock = context.clock;
    const restored = context.restoredState;
    this.next = typeof restored === "number" ? restored : context.subtaskIndex;
  }

  pollNext(output: SourceOutput<number>, maxRecords: number): InputStatus {
    let next = this.next;
    const keys = this.keys;
    const stride = this.stride;
    let budget = maxRecords;
    while (budget > 0 && next < keys) {
      output.collect(next);
      next += stride;
      budget--;
    }
    if (budget > 0 && next >= keys) {
      if (this.interval > 0) {
        const now = this.clock.now();
        if (Number.isNaN(this.pacedFrom)) this.pacedFrom = now;
        const due = Math.floor((now - this.pacedFrom) / this.interval) + 1 - this.paced;
        if (due < budget) budget = Math.max(0, due);
        this.paced += budget;
      }
      const random = this.random;
      for (; budget > 0; budget--) {
        output.collect(random.reset(next).nextInt(keys));
        next += stride;
      }
    }
    const emitted = next !== this.next;
    this.next = next;
    return emitted || this.interval === 0 ? "more-available" : "nothing-available";
  }

  snapshotState(): number {
    return this.next;
  }

  isAvailable(): Promise<void> {
    if (this.interval === 0 || this.next < this.keys || Number.isNaN(this.pacedFrom)) return AVAILABLE;
    const wait = this.pacedFrom + this.paced * this.interval - this.clock.now();
    return wait <= 0 ? AVAILABLE : this.availability.after(wait);
  }

  close(): void {
    this.availability.release();
  }

}
