/**
 * One list of operator state. `get()` returns a fresh array of the stored elements, which the
 * caller may change in place; nothing needs copying for snapshots, which encode the list at once.
 */
import type { ListState } from "../state.ts";
import type { ListDistribution } from "./operator-state-snapshot.ts";

export class OperatorListState<T> implements ListState<T> {
  private elements: T[];

  constructor(
    readonly distribution: ListDistribution,
    elements: readonly T[] = [],
  ) {
    this.elements = [...elements];
  }

  get(): readonly T[] {
    return this.elements.slice();
  }

  add(value: T): void {
    this.elements.push(value);
  }

  addAll(values: Iterable<T>): void {
    for (const value of values) this.elements.push(value);
  }

  update(values: Iterable<T>): void {
    this.elements = Array.from(values);
  }

  clear(): void {
    this.elements = [];
  }

  /** The live elements, for a snapshot that encodes them at once. */
  snapshot(): readonly T[] {
    return this.elements;
  }
}
