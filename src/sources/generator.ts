/**
 * A deterministic generator source: record `index` is `generate(index, random)`, with `random`
 * reset to the stream of (seed, index) just before the call.
 *
 * Guarantees, when `generate` is a pure function of its arguments:
 * - the job emits records 0 .. count-1 (or 0, 1, ... forever when `count` is absent), each once;
 *   subtask i of p makes the indexes i, i + p, i + 2p, ... in increasing order;
 * - every record is the same at any parallelism and however polling is batched, so runs at
 *   parallelism 1 and 2 emit the same multiset.
 *
 * Rate limit: with `eventsPerSecond`, each subtask emits at eventsPerSecond / parallelism per second
 * of the reader context's clock, measured from its first poll. Its k-th record (from 0) is due k
 * intervals after that poll; a reader that falls behind catches up in batches of up to
 * `maxRecords`. Ahead of schedule `pollNext` returns "nothing-available" and `isAvailable()`
 * resolves (by a timer) when the next record is due. Not guaranteed: the wall-clock pace of
 * records downstream, which also depends on back-pressure.
 */
import type { Clock } from "../core/clock.ts";
import { invalidArgument } from "../core/errors.ts";
import { SeededRandom } from "./seeded-random.ts";
import { AvailabilityTimer } from "./availability-timer.ts";
import { AVAILABLE } from "./source.ts";
import type { InputStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from "./source.ts";

export interface GeneratorOptions<T> {
  /** How many records the whole source emits; absent for an unbounded source. */
  readonly count?: number;
  /** Defaults to 0. */
  readonly seed?: number;
  /** Optional limit on the records per second emitted by all subtasks together. */
  readonly eventsPerSecond?: number;
  /** Makes record `index`; must not keep `random` beyond the call. */
  readonly generate: (index: number, random: SeededRandom) => T;
}

export function generatorSource<T>(options: GeneratorOptions<T>): Source<T> {
  const { count, seed = 0, eventsPerSecond, generate } = options;
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= 0)) {
    throw invalidArgument(`generator count must be a non-negative integer, got ${count}`);
  }
  if (!Number.isSafeInteger(seed)) throw invalidArgument(`generator seed must be an integer, got ${seed}`);
  if (eventsPerSecond !== undefined && !(Number.isFinite(eventsPerSecond) && eventsPerSecond > 0)) {
    throw invalidArgument(`generator eventsPerSecond must be a positive number, got ${eventsPerSecond}`);
  }
  if (typeof generate !== "function") throw invalidArgument("generator needs a generate function");
  const total = count ?? Number.POSITIVE_INFINITY;
  return {
    boundedness: count === undefined ? "unbounded" : "bounded",
    createReader: (context) => new GeneratorReader(context, total, seed, eventsPerSecond, generate),
  };
}

class GeneratorReader<T> implements SourceReader<T> {
  private next: number;
  private readonly stride: number;
  private readonly random: SeededRandom;
  private readonly clock: Clock;
  /** Milliseconds between two records of this subtask; 0 when not rate limited. */
  private readonly interval: number;
  private startTime = Number.NaN;
  private emitted = 0;
  private readonly availability = new AvailabilityTimer();

  constructor(
    context: SourceReaderContext,
    private readonly count: number,
    seed: number,
    eventsPerSecond: number | undefined,
    private readonly generate: (index: number, random: SeededRandom) => T,
  ) {
    this.stride = context.parallelism;
    this.next = restoredPosition(context) ?? context.subtaskIndex;
    this.random = new SeededRandom(seed);
    this.clock = context.clock;
    this.interval = eventsPerSecond === undefined ? 0 : (1000 * context.parallelism) / eventsPerSecond;
  }

  pollNext(output: SourceOutput<T>, maxRecords: number): InputStatus {
    const count = this.count;
    let next = this.next;
    if (next >= count) return "end-of-input";
    let budget = maxRecords;
    if (this.interval > 0) {
      const allowed = this.recordsDue() - this.emitted;
      if (allowed <= 0) return "nothing-available";
      if (allowed < budget) budget = allowed;
    }
    const stride = this.stride;
    const random = this.random;
    const generate = this.generate;
    let emitted = 0;
    while (emitted < budget && next < count) {
      output.collect(generate(next, random.reset(next)));
      next += stride;
      emitted++;
    }
    this.next = next;
    this.emitted += emitted;
    return next < count ? "more-available" : "end-of-input";
  }

  /** The index of the next record this subtask makes. */
  snapshotState(): number {
    return this.next;
  }

  isAvailable(): Promise<void> {
    if (this.interval === 0 || this.next >= this.count || Number.isNaN(this.startTime)) return AVAILABLE;
    const wait = this.startTime + this.emitted * this.interval - this.clock.now();
    return wait <= 0 ? AVAILABLE : this.availability.after(wait);
  }

  close(): void {
    this.availability.release();
  }

  /** How many records this subtask may have emitted by now, counting from its first poll. */
  private recordsDue(): number {
    const now = this.clock.now();
    if (Number.isNaN(this.startTime)) this.startTime = now;
    const elapsed = now - this.startTime;
    const due = Math.floor(elapsed / this.interval) + 1;
    return due <= this.emitted && elapsed >= this.emitted * this.interval ? this.emitted + 1 : due;
  }

}

/** A restored position, checked to belong to this subtask's share of the indexes. */
export function restoredPosition(context: SourceReaderContext): number | undefined {
  const restored = context.restoredState;
  if (restored === undefined) return undefined;
  if (typeof restored !== "number" || !Number.isSafeInteger(restored) || restored % context.parallelism !== context.subtaskIndex % context.parallelism) {
    throw invalidArgument(`restored source position ${String(restored)} is not a position of subtask ${context.subtaskIndex} of ${context.parallelism}`);
  }
  return restored;
}
