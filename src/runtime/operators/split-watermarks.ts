/**
 * Watermarks per source split, combined (Flink's WatermarkOutputMultiplexer as the SourceOperator
 * uses it): each split gets its own watermark generator, and the combined watermark is the minimum
 * of the splits' watermarks, splits whose generator declared them idle left out. All splits idle:
 * the combined output is idle. A released split (read to its end, or removed) no longer counts.
 *
 * Records of no split (a reader that emits on its main output) have a generator of their own. It
 * alone decides while no split has emitted (a source that does not tell splits apart behaves as
 * with one generator); once splits have, it counts in the minimum only after it saw a record.
 *
 * Pure logic: generators see events and periodic calls; the combination speaks through `output`,
 * which drops a watermark that does not advance.
 */
import type { WatermarkGenerator, WatermarkOutput } from "../../api/watermark-generators.ts";
import { MIN_WATERMARK, Watermark } from "../../core/watermark.ts";

/** What one generator said: its highest watermark and whether it is idle. */
class PartialOutput implements WatermarkOutput {
  watermark = MIN_WATERMARK;
  idle = false;

  constructor(private readonly changed: () => void) {}

  emitWatermark(watermark: Watermark): void {
    this.idle = false;
    if (watermark.timestamp > this.watermark) this.watermark = watermark.timestamp;
    this.changed();
  }

  markIdle(): void {
    this.idle = true;
    this.changed();
  }

  markActive(): void {
    this.idle = false;
    this.changed();
  }
}

interface Partial<T> {
  readonly generator: WatermarkGenerator<T>;
  readonly output: PartialOutput;
}

export class SplitWatermarks<T> {
  private readonly main: Partial<T>;
  private mainSeen = false;
  private readonly splits = new Map<string, Partial<T>>();
  /** Set while periodic emits run, so the combination is computed once after all of them. */
  private batching = false;

  constructor(
    private readonly createGenerator: () => WatermarkGenerator<T>,
    private readonly output: WatermarkOutput,
  ) {
    this.main = this.partial();
  }

  /** A record of split `split` (undefined: of no split) with `timestamp`. */
  onEvent(split: string | undefined, event: T, timestamp: number): void {
    let partial: Partial<T>;
    if (split === undefined) {
      partial = this.main;
      this.mainSeen = true;
    } else {
      partial = this.splits.get(split) ?? this.addSplit(split);
    }
    partial.generator.onEvent(event, timestamp, partial.output);
  }

  onPeriodicEmit(): void {
    this.batching = true;
    try {
      this.main.generator.onPeriodicEmit(this.main.output);
      for (const partial of this.splits.values()) partial.generator.onPeriodicEmit(partial.output);
    } finally {
      this.batching = false;
    }
    this.combine();
  }

  /** Split `split` is finished: its watermark no longer holds the others back. */
  release(split: string): void {
    if (this.splits.delete(split)) this.combine();
  }

  private addSplit(split: string): Partial<T> {
    const partial = this.partial();
    this.splits.set(split, partial);
    return partial;
  }

  private partial(): Partial<T> {
    return { generator: this.createGenerator(), output: new PartialOutput(() => this.batching || this.combine()) };
  }

  private combine(): void {
    let min = Number.POSITIVE_INFINITY;
    let counted = 0;
    let active = 0;
    const consider = (output: PartialOutput): void => {
      counted++;
      if (output.idle) return;
      active++;
      if (output.watermark < min) min = output.watermark;
    };
    if (this.splits.size === 0 || this.mainSeen) consider(this.main.output);
    for (const partial of this.splits.values()) consider(partial.output);
    if (counted === 0) return;
    if (active === 0) {
      this.output.markIdle();
      return;
    }
    this.output.markActive();
    if (min > MIN_WATERMARK) this.output.emitWatermark(new Watermark(min));
  }
}
