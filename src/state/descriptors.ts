/**
 * State descriptors name a piece of keyed state and say what kind it is. A function asks its
 * runtime context for state by descriptor, normally in `open`; the same name always yields the
 * same state, and asking for one name with two different kinds is an error.
 */

export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /**
   * Combines two accumulators into one (it may change and return either). Needed only where
   * accumulators of two namespaces are merged (merging windows); plain keyed state never calls it.
   */
  merge?(a: ACC, b: ACC): ACC;
}

export class ValueStateDescriptor<T> {
  readonly kind = "value";
  declare readonly __type?: T;
  constructor(readonly name: string) {}
}

export class ListStateDescriptor<T> {
  readonly kind = "list";
  declare readonly __type?: T;
  constructor(readonly name: string) {}
}

export class MapStateDescriptor<K, V> {
  readonly kind = "map";
  declare readonly __type?: [K, V];
  constructor(readonly name: string) {}
}

/**
 * Folds two values into one. Declared as a method type so that a descriptor of any `T` is a
 * `StateDescriptor` (function-typed properties would make `ReducingStateDescriptor` invariant).
 */
export type ReduceFn<T> = { reduce(accumulated: T, value: T): T }["reduce"];

export class ReducingStateDescriptor<T> {
  readonly kind = "reducing";
  constructor(
    readonly name: string,
    readonly reduce: ReduceFn<T>,
  ) {}
}

export class AggregatingStateDescriptor<IN, ACC, OUT> {
  readonly kind = "aggregating";
  constructor(
    readonly name: string,
    readonly aggregate: AggregateFunction<IN, ACC, OUT>,
  ) {}
}

export type StateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<unknown, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;

/** The kind of a piece of keyed state, as its descriptor names it. */
export type StateKind = StateDescriptor["kind"];
