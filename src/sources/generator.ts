/**
 * A deterministic generator source: record `index` is `generate(index, random)`, with `random`
 * reset to the stream of (seed, index) just before the call.
 *
 * Splits: the indexes are cut into as many strided ranges as the source's parallelism when the job
 * first starts: split k of n holds k, k + n, k + 2n, ... (below `count`). The enumerator gives
 * split k to reader k mod parallelism when that reader registers, then tells it no more splits
 * come. A reader holding several splits (after a restore at a lower parallelism) emits their
 * indexes merged in increasing order.
 *
 * Guarantees, when `generate` is a pure function of its arguments:
 * - the job emits records 0 .. count-1 (or 0, 1, ... forever when `count` is absent), each once,
 *   also across restores (its splits are dealt out whatever the parallelism, ready for rescaling);
 *   at the first start, subtask i of p makes the indexes
 *   i, i + p, i + 2p, ... in increasing order;
 * - every record is the same at any parallelism and however polling is batched, so runs at
 *   parallelism 1 and 2 emit the same multiset.
 *
 * Rate limit: with `eventsPerSecond`, each split emits at eventsPerSecond / n per second of the
 * reader context's clock, measured from the reader's first poll (a reader paces its splits
 * together). Its k-th record (from 0) is due k intervals after that poll; a reader that falls
 * behind catches up in batches of up to `maxRecords`. Ahead of schedule `pollNext` returns
 * "nothing-available" and `isAvailable()` resolves (by a timer) when the next record is due. Not
 * guaranteed: the wall-clock pace of records downstream, which also depends on back-pressure.
 */
import type { Clock } from "../core/clock.ts";
import { invalidArgument } from "../core/errors.ts";
import { SeededRandom } from "./seeded-random.ts";
import { AvailabilityTimer } from "./availability-timer.ts";
import { AVAILABLE } from "./source.ts";
import type { InputStatus, SourceOutput } from "./source.ts";
import { checkSplit, isWholeNumber, SourceReaderBase, type HeldSplit } from "./source-reader-base.ts";
import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext, SplitReaderContext, SplitSource } from "./split-source.ts";

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

/** The indexes next, next + stride, ... below `end` (without end when null). */
export interface IndexRangeSplit extends SourceSplit {
  /** The next index to emit: the split's position. */
  readonly next: number;
  readonly stride: number;
  readonly end: number | null;
}

/** The enumerator's checkpoint: the splits not assigned yet. */
export interface IndexRangeEnumeratorState {
  readonly unassigned: readonly IndexRangeSplit[];
}

export type GeneratorSource<T> = SplitSource<T, IndexRangeSplit, IndexRangeEnumeratorState>;

export function generatorSource<T>(options: GeneratorOptions<T>): GeneratorSource<T> {
  const { count, seed = 0, eventsPerSecond, generate } = options;
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= 0)) {
    throw invalidArgument(`generator count must be a non-negative integer, got ${count}`);
  }
  if (!Number.isSafeInteger(seed)) throw invalidArgument(`generator seed must be an integer, got ${seed}`);
  if (eventsPerSecond !== undefined && !(Number.isFinite(eventsPerSecond) && eventsPerSecond > 0)) {
    throw invalidArgument(`generator eventsPerSecond must be a positive number, got ${eventsPerSecond}`);
  }
  if (typeof generate !== "function") throw invalidArgument("generator needs a generate function");
  return indexRangeSource(count, seed, eventsPerSecond, generate);
}

/**
 * A source of `generate(index, random)` for the indexes below `count` (all of them when
 * undefined), cut into strided splits; shared with the elements source.
 */
export function indexRangeSource<T>(
  count: number | undefined,
  seed: number,
  eventsPerSecond: number | undefined,
  generate: (index: number, random: SeededRandom) => T,
): GeneratorSource<T> {
  return {
    boundedness: count === undefined ? "unbounded" : "bounded",
    createEnumerator: (context) => new IndexRangeEnumerator(context, initialSplits(count, context.currentParallelism()), count !== undefined),
    restoreEnumerator: (context, checkpoint) => new IndexRangeEnumerator(context, checkpoint.unassigned, count !== undefined),
    createReader: (context) => new IndexRangeReader(context, seed, eventsPerSecond, generate),
  };
}

function initialSplits(count: number | undefined, splits: number): IndexRangeSplit[] {
  const end = count ?? null;
  return Array.from({ length: splits }, (_, k) => ({ splitId: String(k), next: k, stride: splits, end }));
}

/**
 * Gives each reader, when it registers, the unassigned splits it owns (split number mod
 * parallelism); then, for a bounded source, no more. A reader of an unbounded source is not told
 * "no more splits": one without a split (after a restore at a higher parallelism) stays idle
 * instead of ending its input, which would end event time (the maximum watermark) downstream.
 */
class IndexRangeEnumerator implements SplitEnumerator<IndexRangeSplit, IndexRangeEnumeratorState> {
  private unassigned: IndexRangeSplit[];

  constructor(
    private readonly context: SplitEnumeratorContext<IndexRangeSplit>,
    unassigned: readonly IndexRangeSplit[],
    private readonly bounded: boolean,
  ) {
    this.unassigned = [...unassigned];
  }

  start(): void {}

  addReader(subtaskId: number): void {
    const parallelism = this.context.currentParallelism();
    const mine = this.unassigned.filter((s) => Number(s.splitId) % parallelism === subtaskId);
    if (mine.length > 0) {
      this.unassigned = this.unassigned.filter((s) => !mine.includes(s));
      this.context.assignSplits(new Map([[subtaskId, mine]]));
    }
    if (this.bounded) this.context.signalNoMoreSplits(subtaskId);
  }

  /** Every split is handed out when its owner registers; a request finds nothing more. */
  handleSplitRequest(): void {}

  snapshotState(): IndexRangeEnumeratorState {
    return { unassigned: this.unassigned.map((s) => ({ ...s })) };
  }
}

/** Reads index-range splits, emitting `generate(index, random)` for each index, merged in increasing order, optionally paced. */
class IndexRangeReader<T> extends SourceReaderBase<T, IndexRangeSplit> {
  private readonly clock: Clock;
  private readonly random: SeededRandom;
  /** Milliseconds between two records of this reader; 0 when not rate limited. */
  private interval = 0;
  private startTime = Number.NaN;
  private emitted = 0;
  private readonly availability = new AvailabilityTimer();

  constructor(
    context: SplitReaderContext,
    seed: number,
    private readonly eventsPerSecond: number | undefined,
    private readonly generate: (index: number, random: SeededRandom) => T,
  ) {
    super(context);
    this.clock = context.clock;
    this.random = new SeededRandom(seed);
  }

  protected override adopt(split: IndexRangeSplit): HeldSplit<IndexRangeSplit> {
    checkSplit(
      split,
      ({ next, stride, end }) => isWholeNumber(next) && isWholeNumber(stride) && stride >= 1 && (end === null || isWholeNumber(end)),
      "an index range of a generator source",
      "whole numbers next, stride (at least 1) and end (or null)",
    );
    return { ...split };
  }

  override addSplits(splits: readonly IndexRangeSplit[]): void {
    super.addSplits(splits);
    if (this.eventsPerSecond !== undefined) {
      let perSecond = 0;
      for (const s of this.splits) perSecond += this.eventsPerSecond / s.stride;
      this.interval = 1000 / perSecond;
      // The schedule starts over at the new pace from the next poll.
      this.startTime = Number.NaN;
      this.emitted = 0;
    }
  }

  protected readSplits(output: SourceOutput<T>, maxRecords: number): InputStatus {
    let budget = maxRecords;
    if (this.interval > 0) {
      const allowed = this.recordsDue() - this.emitted;
      if (allowed <= 0) return "nothing-available";
      if (allowed < budget) budget = allowed;
    }
    const splits = this.splits;
    const random = this.random;
    const generate = this.generate;
    let emitted = 0;
    if (splits.length === 1) {
      const split = splits[0]!;
      const end = split.end ?? Number.POSITIVE_INFINITY;
      const stride = split.stride;
      let next = split.next;
      while (emitted < budget && next < end) {
        output.collect(generate(next, random.reset(next)));
        next += stride;
        emitted++;
      }
      split.next = next;
    } else {
      while (emitted < budget) {
        let lowest: HeldSplit<IndexRangeSplit> | undefined;
        for (const s of splits) if ((s.end === null || s.next < s.end) && (lowest === undefined || s.next < lowest.next)) lowest = s;
        if (lowest === undefined) break;
        output.collect(generate(lowest.next, random.reset(lowest.next)));
        lowest.next += lowest.stride;
        emitted++;
      }
    }
    this.emitted += emitted;
    for (const s of [...splits]) if (s.end !== null && s.next >= s.end) this.finishSplit(s);
    return "more-available";
  }

  protected snapshotSplit(split: IndexRangeSplit): IndexRangeSplit {
    return { splitId: split.splitId, next: split.next, stride: split.stride, end: split.end };
  }

  protected override splitsAvailable(): Promise<void> {
    if (this.interval === 0 || Number.isNaN(this.startTime)) return AVAILABLE;
    const wait = this.startTime + this.emitted * this.interval - this.clock.now();
    return wait <= 0 ? AVAILABLE : this.availability.after(wait);
  }

  close(): void {
    this.availability.release();
  }

  /** How many records this reader may have emitted by now, counting from its first poll. */
  private recordsDue(): number {
    const now = this.clock.now();
    if (Number.isNaN(this.startTime)) this.startTime = now;
    const elapsed = now - this.startTime;
    const due = Math.floor(elapsed / this.interval) + 1;
    return due <= this.emitted && elapsed >= this.emitted * this.interval ? this.emitted + 1 : due;
  }
}
