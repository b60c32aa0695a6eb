/**
 * Evictors remove elements from a window's contents before and/or after its function is
 * evaluated (Flink's Evictor). An evictor gets the contents as an array of timestamped values,
 * oldest first, and removes elements from it in place; the window operator stores what remains.
 */
import type { Window } from "./windows.ts";

/** An element of a window with the timestamp it had (undefined when the stream has none). */
export class TimestampedValue<T> {
  constructor(
    readonly value: T,
    readonly timestamp?: number,
  ) {}

  getValue(): T {
    return this.value;
  }

  getTimestamp(): number | undefined {
    return this.timestamp;
  }

  hasTimestamp(): boolean {
    return this.timestamp !== undefined;
  }
}

export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

export interface Evictor<T, W extends Window> {
  /** Before the window function: remove from `elements` (in place) what it must not see. `size` is `elements.length`. */
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  /** After the window function: remove from `elements` (in place) what must not stay in the window. */
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}

/** Removes, in place, the elements `remove` selects, keeping the others in order. */
export function removeWhere<T>(elements: TimestampedValue<T>[], remove: (element: TimestampedValue<T>) => boolean): void {
  let kept = 0;
  for (const element of elements) if (!remove(element)) elements[kept++] = element;
  elements.length = kept;
}
