/** Reducing state on the heap: stores the value folded so far. An undefined result counts as no value. */
import type { ReduceFn } from "../descriptors.ts";
import type { ReducingState } from "../state.ts";
import type { StateTable } from "./state-table.ts";
import { copyValue } from "./copy-value.ts";

export class HeapReducingState<T> implements ReducingState<T> {
  constructor(
    private readonly table: StateTable<T>,
    private readonly reduce: ReduceFn<T>,
  ) {}

  get(): T | undefined {
    return this.table.get();
  }

  add(value: T): void {
    const accumulated = this.table.getMutable(copyValue);
    this.table.set(accumulated === undefined ? value : this.reduce(accumulated, value));
  }

  clear(): void {
    this.table.remove();
  }
}
