/**
 * Value state on the heap: stores the value itself. `value()` hands out the stored value, which
 * the caller may change in place (see CurrentEntry.getForChange). `update(undefined)` clears, as
 * `value()` could not tell it from absence.
 */
import type { ValueState } from "../state.ts";
import type { CurrentEntry } from "./state-table.ts";

export class HeapValueState<T> implements ValueState<T> {
  constructor(private readonly table: CurrentEntry<T>) {}

  value(): T | undefined {
    return this.table.getForChange();
  }

  update(value: T): void {
    this.table.set(value);
  }

  clear(): void {
    this.table.remove();
  }
}
