/**
 * Reducing state on the heap: stores the value folded so far. An undefined result counts as no
 * value. The reduce function may change the accumulated value in place and return it, and `get()`
 * hands out the stored value for the caller to change: both read it through
 * CurrentEntry.getForChange, so no live snapshot sees such changes.
 */
import type { ReduceFn } from "../descriptors.ts";
import type { ReducingState } from "../state.ts";
import type { CurrentEntry } from "./state-table.ts";

export class HeapReducingState<T> implements ReducingState<T> {
  constructor(
    private readonly table: CurrentEntry<T>,
    private readonly reduce: ReduceFn<T>,
  ) {}

  get(): T | undefined {
    return this.table.getForChange();
  }

  add(value: T): void {
    const accumulated = this.table.getForChange();
    if (accumulated === undefined) {
      this.table.set(value);
      return;
    }
    const reduced = this.reduce(accumulated, value);
    // The stored value, changed in place and returned, is already stored and owned (read for change): one lookup per add.
    if (reduced !== accumulated) this.table.set(reduced);
  }

  clear(): void {
    this.table.remove();
  }
}
