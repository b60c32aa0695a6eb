/**
 * List state on the heap: stores a non-empty array per key. `get()` returns a fresh array (so
 * later writes do not show in it, and changing the array does not change the state) holding the
 * stored elements, which the caller may change in place; `add` appends to the stored array. Both
 * read it through CurrentEntry.getForChange, so no live snapshot sees either. A key whose list
 * becomes empty (`update([])`, `clear()`) has no entry.
 */
import type { ListState } from "../state.ts";
import type { CurrentEntry } from "./state-table.ts";

export class HeapListState<T> implements ListState<T> {
  constructor(private readonly table: CurrentEntry<T[]>) {}

  get(): readonly T[] {
    const list = this.table.getForChange();
    return list === undefined ? [] : list.slice();
  }

  add(value: T): void {
    const list = this.table.getForChange();
    if (list === undefined) this.table.put([value]);
    else list.push(value);
  }

  addAll(values: Iterable<T>): void {
    const list = this.table.getForChange();
    if (list !== undefined) {
      for (const value of values) list.push(value);
      return;
    }
    const added = Array.from(values);
    if (added.length > 0) this.table.put(added);
  }

  update(values: Iterable<T>): void {
    const list = Array.from(values);
    if (list.length > 0) this.table.put(list);
    else this.table.remove();
  }

  clear(): void {
    this.table.remove();
  }
}
