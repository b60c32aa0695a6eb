/**
 * Aggregating state on the heap: stores the accumulator; `get()` applies `getResult` to it on
 * each call. A key with no accumulator (never added to, or cleared) reads as undefined. `add` may
 * change the accumulator in place, and `getResult` may return (part of) it for the caller to
 * change: both read it through CurrentEntry.getForChange, so no live snapshot sees such changes.
 */
import type { AggregateFunction } from "../descriptors.ts";
import type { AggregatingState } from "../state.ts";
import type { CurrentEntry } from "./state-table.ts";

export class HeapAggregatingState<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  constructor(
    private readonly table: CurrentEntry<ACC>,
    private readonly aggregate: AggregateFunction<IN, ACC, OUT>,
  ) {}

  get(): OUT | undefined {
    const accumulator = this.table.getForChange();
    return accumulator === undefined ? undefined : this.aggregate.getResult(accumulator);
  }

  add(value: IN): void {
    const accumulator = this.table.getForChange();
    const next = this.aggregate.add(value, accumulator === undefined ? this.aggregate.createAccumulator() : accumulator);
    // The stored accumulator, changed in place and returned, is already stored and owned (read for change): one lookup per add.
    if (next === accumulator && next !== undefined) return;
    this.table.set(next);
  }

  clear(): void {
    this.table.remove();
  }
}
