/**
 * Aggregating state on the heap: stores the accumulator; `get()` applies `getResult` to it on
 * each call. A key with no accumulator (never added to, or cleared) reads as undefined. `add` may
 * change the accumulator in place: one a snapshot still sees is copied first.
 */
import type { AggregateFunction } from "../descriptors.ts";
import type { AggregatingState } from "../state.ts";
import type { StateTable } from "./state-table.ts";
import { copyValue } from "./copy-value.ts";

export class HeapAggregatingState<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  constructor(
    private readonly table: StateTable<ACC>,
    private readonly aggregate: AggregateFunction<IN, ACC, OUT>,
  ) {}

  get(): OUT | undefined {
    const accumulator = this.table.get();
    return accumulator === undefined ? undefined : this.aggregate.getResult(accumulator);
  }

  add(value: IN): void {
    const accumulator = this.table.getMutable(copyValue);
    this.table.set(this.aggregate.add(value, accumulator === undefined ? this.aggregate.createAccumulator() : accumulator));
  }

  clear(): void {
    this.table.remove();
  }
}
