/**
 * The keyed state a user function sees. Every call reads or writes the value of the key of the
 * record (or timer) being processed; there is no way to reach another key's state.
 */

export interface State {
  /** Removes this state's value for the current key. */
  clear(): void;
}

export interface ValueState<T> extends State {
  /** The value for the current key, or undefined when none was set. */
  value(): T | undefined;
  update(value: T): void;
}

export interface ListState<T> extends State {
  /** The elements for the current key, oldest first; an empty array when there are none. */
  get(): readonly T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces all elements. */
  update(values: Iterable<T>): void;
}

export interface MapState<K, V> extends State {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
}

/** Holds one value, folded from every `add` with the descriptor's reduce function. */
export interface ReducingState<T> extends State {
  get(): T | undefined;
  add(value: T): void;
}

/** Holds an accumulator, grown by every `add`; `get` returns the aggregate's result. */
export interface AggregatingState<IN, OUT> extends State {
  get(): OUT | undefined;
  add(value: IN): void;
}
