/**
 * Applies a WatermarkStrategy to a stream (Flink's TimestampsAndWatermarksOperator): gives each
 * record the timestamp its assigner reads, feeds the watermark generator, and emits the
 * generator's watermarks, periodically every auto-watermark interval of processing time and at
 * once for punctuated ones. Watermarks from upstream are dropped: this operator's generator is the
 * stream's event time from here on. Only the maximum watermark (end of input) passes, and the
 * operator emits it itself when its input ends.
 *
 * A punctuated watermark a record's event causes goes downstream after that record.
 *
 * Chained after a split-based source, it keeps a generator per source split (split-watermarks.ts):
 * the records carry their split's id in the task's record context, which this operator clears
 * for the operators after it (a later assigner sees one stream).
 */
import type { WatermarkStrategy } from "../../api/watermark-strategy.ts";
import type { WatermarkOutput } from "../../api/watermark-generators.ts";
import { WeirError } from "../../core/errors.ts";
import { MAX_WATERMARK, MIN_WATERMARK, type Watermark } from "../../core/watermark.ts";
import type { RecordTimestamp } from "../record-timestamp.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { operatorFailure } from "./user-function.ts";
import { SplitWatermarks } from "./split-watermarks.ts";

/** What the generator emits, passed on when it advances; held back while a record is being handled. */
class GeneratedWatermarks implements WatermarkOutput {
  private emitted = MIN_WATERMARK;
  private idle = false;
  private pending: number | undefined;
  /** Set while the generator sees a record's event: its watermark must follow that record. */
  deferring = false;

  constructor(private readonly output: Output<unknown>) {}

  emitWatermark(watermark: Watermark): void {
    this.emit(watermark.timestamp);
  }

  emit(timestamp: number): void {
    if (typeof timestamp !== "number" || Number.isNaN(timestamp) || timestamp <= this.emitted) return;
    this.emitted = timestamp;
    if (this.deferring) this.pending = timestamp;
    else this.forward(timestamp);
  }

  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.output.emitWatermarkStatus?.(true);
  }

  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.output.emitWatermarkStatus?.(false);
  }

  /** Sends the watermark held back during a record, if any. */
  flush(): void {
    this.deferring = false;
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    this.forward(pending);
  }

  private forward(timestamp: number): void {
    this.markActive();
    this.output.emitWatermark?.(timestamp);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (value instanceof Date) return "a Date (return date.getTime())";
  if (value === null || value === undefined || typeof value === "number") return String(value);
  return `a value of type ${typeof value}`;
}

export class TimestampsAndWatermarksOperator<T> implements StreamOperator {
  /** It passes on the record it was given, which is its own. */
  readonly emitsOwnedRecords = true;
  private output!: Output<unknown>;
  private name = "";
  private time!: RecordTimestamp;
  private assigner: ((event: T, recordTimestamp: number | null) => number) | undefined;
  private generators!: SplitWatermarks<T>;
  private watermarks!: GeneratedWatermarks;
  private intervalMs = 0;
  private nextEmit: number | undefined;

  constructor(
    private readonly strategy: WatermarkStrategy<T>,
    /** Read when the operator opens: the job's auto-watermark interval, 0 for none. */
    private readonly autoWatermarkInterval: () => number,
  ) {}

  open(context: OperatorContext, output: Output<unknown>): void {
    this.output = output;
    this.name = context.runtime.operatorName;
    this.time = context.recordTimestamp;
    const clock = context.clock;
    this.watermarks = new GeneratedWatermarks(output);
    try {
      this.assigner = this.strategy.createTimestampAssigner();
      const strategy = this.strategy;
      this.generators = new SplitWatermarks<T>(() => strategy.createWatermarkGenerator({ getInputActivityClock: () => clock }), this.watermarks);
    } catch (e) {
      throw operatorFailure(this.name, e);
    }
    if (this.time.onSplitReleased === undefined) this.time.onSplitReleased = (split) => this.generators.release(split);
    this.intervalMs = this.autoWatermarkInterval();
    this.nextEmit = this.intervalMs > 0 ? clock.now() + this.intervalMs : undefined;
  }

  processElement(record: unknown): void {
    const time = this.time;
    const previous = time.at;
    const split = time.split;
    let timestamp = previous;
    const watermarks = this.watermarks;
    watermarks.deferring = true;
    try {
      if (this.assigner !== undefined) {
        const assigned: unknown = this.assigner(record as T, previous === previous ? previous : null);
        if (typeof assigned !== "number" || !Number.isFinite(assigned)) {
          throw new WeirError(
            "WEIR_ERR_INVALID_TIMESTAMP",
            `operator '${this.name}': the timestamp assigner returned ${describe(assigned)}; a timestamp must be a finite number of milliseconds`,
          );
        }
        timestamp = assigned;
      }
      if (timestamp === timestamp) this.generators.onEvent(split, record as T, timestamp);
    } catch (e) {
      watermarks.deferring = false;
      throw operatorFailure(this.name, e);
    }
    time.at = timestamp;
    time.split = undefined;
    try {
      this.output.collect(record);
    } finally {
      time.at = previous;
      time.split = split;
    }
    watermarks.flush();
  }

  /** Upstream watermarks end here, except the maximum one: the end of the input. */
  processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK) this.watermarks.emit(MAX_WATERMARK);
  }

  /** Upstream idleness ends here too: this operator's generator decides. */
  processWatermarkStatus(): void {}

  nextTimerTime(): number | undefined {
    return this.nextEmit;
  }

  onProcessingTime(now: number): void {
    try {
      this.generators.onPeriodicEmit();
    } catch (e) {
      throw operatorFailure(this.name, e);
    }
    this.nextEmit = now + this.intervalMs;
  }

  endInput(): void {
    this.watermarks.emit(MAX_WATERMARK);
    this.nextEmit = undefined;
  }
}
