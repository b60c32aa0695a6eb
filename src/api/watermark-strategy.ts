/**
 * How a stream gets event time (Flink's WatermarkStrategy): a timestamp assigner that reads each
 * record's timestamp, and a watermark generator that tells downstream operators how far event time
 * has progressed. Applied by `env.fromSource(source, strategy, name)` or
 * `stream.assignTimestampsAndWatermarks(strategy)`. Strategies are immutable: each `with...`
 * returns a new one.
 */
import type { Clock } from "../core/clock.ts";
import { invalidArgument } from "../core/errors.ts";
import {
  AscendingTimestampsWatermarks,
  BoundedOutOfOrdernessWatermarks,
  checkDelay,
  NoWatermarksGenerator,
  WatermarksWithIdleness,
  type WatermarkGenerator,
} from "./watermark-generators.ts";

/**
 * Reads a record's event timestamp, in milliseconds. `recordTimestamp` is the timestamp the record
 * already has, or null when it has none. It must return a finite number.
 */
export type TimestampAssigner<T> =
  | ((event: T, recordTimestamp: number | null) => number)
  | { extractTimestamp(event: T, recordTimestamp: number | null): number };

/** What a watermark generator is created with (Flink's WatermarkGeneratorSupplier.Context). */
export interface WatermarkGeneratorSupplierContext {
  /** The processing-time clock that idleness is measured with. */
  getInputActivityClock(): Clock;
}

export type WatermarkGeneratorSupplier<T> =
  | ((context: WatermarkGeneratorSupplierContext) => WatermarkGenerator<T>)
  | { createWatermarkGenerator(context: WatermarkGeneratorSupplierContext): WatermarkGenerator<T> };

export class WatermarkStrategy<T> {
  private constructor(
    private readonly supplier: (context: WatermarkGeneratorSupplierContext) => WatermarkGenerator<T>,
    private readonly assigner: TimestampAssigner<T> | undefined,
    private readonly idleTimeoutMs: number | undefined,
  ) {}

  /** Watermarks that trail the highest timestamp seen by `maxOutOfOrdernessMs` (+1): events may be that late. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    checkDelay(maxOutOfOrdernessMs, "the maximum out-of-orderness");
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs), undefined, undefined);
  }

  /** Timestamps that never decrease: the watermark is the highest timestamp seen, minus 1. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new AscendingTimestampsWatermarks<T>(), undefined, undefined);
  }

  /** A custom generator, periodic (`onPeriodicEmit`) or punctuated (`onEvent`), made per parallel instance. */
  static forGenerator<T>(supplier: WatermarkGeneratorSupplier<T>): WatermarkStrategy<T> {
    if (typeof supplier === "function") return new WatermarkStrategy<T>(supplier, undefined, undefined);
    if (supplier !== null && typeof supplier === "object" && typeof supplier.createWatermarkGenerator === "function") {
      return new WatermarkStrategy<T>((context) => supplier.createWatermarkGenerator(context), undefined, undefined);
    }
    throw invalidArgument("WatermarkStrategy.forGenerator() expects a function (context) => generator, or an object with createWatermarkGenerator(context)");
  }

  /** No watermarks; the input still ends with the maximum watermark. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined, undefined);
  }

  /** The same strategy, reading each record's timestamp with `assigner`. */
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    const valid = typeof assigner === "function" || (assigner !== null && typeof assigner === "object" && typeof assigner.extractTimestamp === "function");
    if (!valid) throw invalidArgument("withTimestampAssigner() expects a function (event, recordTimestamp) => milliseconds, or an object with extractTimestamp");
    return new WatermarkStrategy<T>(this.supplier, assigner, this.idleTimeoutMs);
  }

  /**
   * The same strategy, declaring the input idle after `idleTimeoutMs` of processing time without
   * events, so that it no longer holds back the watermark downstream; its next event ends that.
   */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    if (typeof idleTimeoutMs !== "number" || !(idleTimeoutMs > 0) || !Number.isFinite(idleTimeoutMs)) {
      throw invalidArgument(`withIdleness() expects a positive number of milliseconds, got ${String(idleTimeoutMs)}`);
    }
    return new WatermarkStrategy<T>(this.supplier, this.assigner, idleTimeoutMs);
  }

  createWatermarkGenerator(context: WatermarkGeneratorSupplierContext): WatermarkGenerator<T> {
    const generator = this.supplier(context);
    return this.idleTimeoutMs === undefined ? generator : new WatermarksWithIdleness(generator, this.idleTimeoutMs, context.getInputActivityClock());
  }

  /**
   * The assigner as a function, or undefined when none was given: records then keep the timestamp
   * they have (Flink's RecordTimestampAssigner).
   */
  createTimestampAssigner(): ((event: T, recordTimestamp: number | null) => number) | undefined {
    const assigner = this.assigner;
    if (assigner === undefined) return undefined;
    return typeof assigner === "function" ? assigner : (event, recordTimestamp) => assigner.extractTimestamp(event, recordTimestamp);
  }
}
