/**
 * How a window operator keeps a window's contents in namespaced keyed state (the window, or the
 * state window of a merged one, is the namespace) and what it hands the window function when the
 * window fires, as Flink's window operators do:
 * - all elements, in list state, for `process` and `apply`;
 * - the reduced value, in reducing state, for `reduce`;
 * - the accumulator, in aggregating state, for `aggregate`.
 * With an evictor every form keeps all elements with their timestamps (the evictor needs them),
 * and reduce and aggregate fold the elements the evictor left when the window fires.
 */
import { deepCopy } from "../../core/deep-copy.ts";
import type { InternalMergingState } from "../../state/namespaced-state.ts";
import type { KeyedStateBackend } from "../../state/keyed-state-backend.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
  type AggregateFunction,
} from "../../state/descriptors.ts";
import type { AggregatingState, ListState, ReducingState } from "../../state/state.ts";
import type { Window } from "../../windowing/windows.ts";

/** What the window function is given: every element, or one value folded from them. */
export type WindowContents<IN> =
  | { readonly kind: "list" }
  | { readonly kind: "reduce"; readonly reduce: (accumulated: IN, value: IN) => IN }
  | { readonly kind: "aggregate"; readonly aggregate: AggregateFunction<IN, unknown, unknown> };

/** The state name of window contents; internal names start with an underscore. */
export const CONTENTS_STATE = "_window-contents";

/** An element as an evicting window stores it: the value and its timestamp (null for none), plain data so checkpoints keep it. */
export type StoredElement<IN> = [value: IN, timestamp: number | null];

/** The namespaced state of a window's contents, as the operator reads and writes it. */
export interface ContentsState<IN> {
  readonly handle: InternalMergingState<Window, AppendingState<IN>>;
  /** Adds an element to the current namespace. */
  add(value: IN, timestamp: number | undefined): void;
  /** The function's input for the current namespace; undefined when the window holds nothing. */
  read(): unknown;
}

interface AppendingState<IN> {
  get(): unknown;
  add(value: IN): void;
  clear(): void;
}

/** Window contents kept as state values, without an evictor. */
export function plainContents<IN>(backend: KeyedStateBackend, contents: WindowContents<IN>): ContentsState<IN> {
  switch (contents.kind) {
    case "list": {
      const handle = backend.getNamespacedState<Window, IN>(new ListStateDescriptor<IN>(CONTENTS_STATE));
      const state: ListState<IN> = handle.state;
      return {
        handle: handle as ContentsState<IN>["handle"],
        add: (value) => state.add(value),
        read: () => {
          const elements = state.get();
          return elements.length === 0 ? undefined : elements;
        },
      };
    }
    case "reduce": {
      const handle = backend.getNamespacedState<Window, IN>(new ReducingStateDescriptor<IN>(CONTENTS_STATE, contents.reduce));
      const state: ReducingState<IN> = handle.state;
      // The first element becomes the accumulator, which the reduce function may change in place.
      return { handle: handle as ContentsState<IN>["handle"], add: (value) => state.add(value), read: () => state.get() };
    }
    case "aggregate": {
      const handle = backend.getNamespacedState<Window, IN, unknown, unknown>(new AggregatingStateDescriptor(CONTENTS_STATE, contents.aggregate));
      const state: AggregatingState<IN, unknown> = handle.state;
      // The aggregate function's add may keep the element in (or as) the accumulator.
      return { handle: handle as ContentsState<IN>["handle"], add: (value) => state.add(value), read: () => state.get() };
    }
  }
}

/** Window contents of an evicting window: every element with its timestamp (`read` is not used: the evictor reads `elements`). */
export function evictingContents<IN>(backend: KeyedStateBackend): ContentsState<IN> & { readonly elements: ListState<StoredElement<IN>> } {
  const handle = backend.getNamespacedState<Window, StoredElement<IN>>(new ListStateDescriptor<StoredElement<IN>>(CONTENTS_STATE));
  const elements = handle.state;
  return {
    handle: handle as unknown as ContentsState<IN>["handle"],
    elements,
    add: (value, timestamp) => elements.add([value, timestamp ?? null]),
    read: () => undefined,
  };
}

/**
 * The function's input from the elements an evictor left: the elements themselves (list), their
 * reduction (undefined for none, and then nothing fires), or the aggregate's result (of an empty
 * accumulator too, as Flink's aggregate over evicted contents gives).
 *
 * `stored` are the window's elements. Unless `copyElements` is false (object reuse on, where
 * the job promises not to change what it was given), reduce and aggregate fold copies of them: a
 * reduce or aggregate function that changes its input in place, or keeps it as its accumulator,
 * must not change what the window keeps for its next firing.
 */
export function foldElements<IN>(contents: WindowContents<IN>, stored: IN[], copyElements: boolean): unknown {
  if (contents.kind === "list") return stored;
  const values = copyElements ? deepCopy(stored) : stored;
  switch (contents.kind) {
    case "reduce": {
      if (values.length === 0) return undefined;
      let accumulated: IN = values[0]!;
      for (let i = 1; i < values.length; i++) accumulated = contents.reduce(accumulated, values[i]!);
      return accumulated;
    }
    case "aggregate": {
      const aggregate = contents.aggregate;
      let accumulator = aggregate.createAccumulator();
      for (const value of values) accumulator = aggregate.add(value, accumulator);
      return aggregate.getResult(accumulator);
    }
  }
}
