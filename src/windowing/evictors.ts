/**
 * Flink's evictors: CountEvictor keeps the last n elements, TimeEvictor the elements of the last
 * `windowSize` ms (measured back from the newest element's timestamp), DeltaEvictor the elements
 * within a threshold of the newest element. Each evicts before the window function unless made
 * with `doEvictAfter` true.
 */
import { checkCount, checkNotNegative, invalidWindow } from "./window-arguments.ts";
import { removeWhere, type Evictor, type EvictorContext, type TimestampedValue } from "./evictor.ts";
import type { Window } from "./windows.ts";

/** An evictor with one limit (a count, a duration, a threshold) that evicts either before or after the window function. */
abstract class OneSidedEvictor<T> implements Evictor<T, Window> {
  protected constructor(
    protected readonly limit: number,
    private readonly doEvictAfter: boolean,
  ) {}

  protected abstract evict(elements: TimestampedValue<T>[], size: number): void;

  evictBefore(elements: TimestampedValue<T>[], size: number, _window: Window, _ctx: EvictorContext): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }

  evictAfter(elements: TimestampedValue<T>[], size: number, _window: Window, _ctx: EvictorContext): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }
}

export class CountEvictor<T = unknown> extends OneSidedEvictor<T> {
  /** Keeps the newest `maxCount` elements (an integer above 0). */
  static of<T = unknown>(maxCount: number, doEvictAfter = false): CountEvictor<T> {
    return new CountEvictor<T>(checkCount("CountEvictor.of", "maxCount", maxCount), doEvictAfter);
  }

  protected evict(elements: TimestampedValue<T>[], size: number): void {
    if (size > this.limit) elements.splice(0, size - this.limit);
  }

  override toString(): string {
    return `CountEvictor(${this.limit})`;
  }
}

export class TimeEvictor<T = unknown> extends OneSidedEvictor<T> {
  /** Keeps the elements newer than `windowSize` ms before the newest element's timestamp; elements without timestamps are all kept. */
  static of<T = unknown>(windowSize: number, doEvictAfter = false): TimeEvictor<T> {
    return new TimeEvictor<T>(checkNotNegative("TimeEvictor.of", "windowSize", windowSize), doEvictAfter);
  }

  protected evict(elements: TimestampedValue<T>[]): void {
    if (elements.length === 0 || !elements[0]!.hasTimestamp()) return;
    let newest = -Infinity;
    for (const element of elements) if (element.timestamp! > newest) newest = element.timestamp!;
    const cutoff = newest - this.limit;
    removeWhere(elements, (element) => element.timestamp! <= cutoff);
  }

  getWindowSize(): number {
    return this.limit;
  }

  override toString(): string {
    return `TimeEvictor(${this.limit})`;
  }
}

/** How far apart two elements are (Flink's DeltaFunction); a function or an object. */
export type DeltaFunction<T> = ((oldValue: T, newValue: T) => number) | { getDelta(oldValue: T, newValue: T): number };

export class DeltaEvictor<T> extends OneSidedEvictor<T> {
  private constructor(
    threshold: number,
    private readonly delta: (oldValue: T, newValue: T) => number,
    doEvictAfter: boolean,
  ) {
    super(threshold, doEvictAfter);
  }

  /** Removes every element whose delta to the newest element is at least `threshold`. */
  static of<T>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    if (typeof threshold !== "number" || Number.isNaN(threshold)) throw invalidWindow(`DeltaEvictor.of: threshold must be a number, got ${String(threshold)}`);
    const delta = typeof deltaFunction === "function" ? deltaFunction : (a: T, b: T) => deltaFunction.getDelta(a, b);
    return new DeltaEvictor(threshold, delta, doEvictAfter);
  }

  protected evict(elements: TimestampedValue<T>[]): void {
    const last = elements[elements.length - 1];
    if (last === undefined) return;
    removeWhere(elements, (element) => this.delta(element.value, last.value) >= this.limit);
  }

  override toString(): string {
    return `DeltaEvictor(${this.limit})`;
  }
}
