/**
 * The functions a windowed stream evaluates when a window fires, as Flink shapes them:
 * `ProcessWindowFunction` (all elements, or the single pre-aggregated result, with a context),
 * `WindowFunction` (the older `apply` form); `reduce` and `aggregate` pre-aggregate with the
 * `ReduceFunction` and `AggregateFunction` types of keyed state. The window operator calls every
 * form through one `InternalWindowFunction`, made by the adapters below.
 */
import type { Collector, KeyedStateStore, Lifecycle, ReduceFunction, RuntimeContext } from "../api/functions.ts";
import type { AggregateFunction } from "../state/descriptors.ts";
import type { OutputTag } from "../api/output-tag.ts";
import type { Window } from "./windows.ts";

export type { AggregateFunction, ReduceFunction };


/** What a ProcessWindowFunction knows of the window it evaluates. */
export interface ProcessWindowFunctionContext<W extends Window> {
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** State of the current key in this window; cleared with the window (implement `clear` to clean it). */
  windowState(): KeyedStateStore;
  /** State of the current key, shared by all its windows. */
  globalState(): KeyedStateStore;
  /** Emits `value` to the side output `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

export abstract class ProcessWindowFunction<IN, OUT, KEY, W extends Window> implements Lifecycle {
  open?(context: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  /** Evaluates one firing of a window: `elements` are its contents (or the single pre-aggregated result). */
  abstract process(key: KEY, context: ProcessWindowFunctionContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  /** Called when the window is purged for good: delete what was kept in `context.windowState()`. */
  clear?(context: ProcessWindowFunctionContext<W>): void;
}

/** Flink's WindowFunction: `apply(key, window, input, out)`, a function or an object with `apply`. */
export type WindowFunction<IN, OUT, KEY, W extends Window> =
  | ((key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>) => void)
  | (Lifecycle & { apply(key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>): void });

/** The one shape the window operator calls: every user form is adapted to it. */
export interface InternalWindowFunction<IN, OUT, KEY, W extends Window> {
  /** The user function, for its lifecycle hooks (open, close, checkpoint notifications); undefined for built-in ones. */
  readonly userFunction: Lifecycle | undefined;
  process(key: KEY, window: W, context: ProcessWindowFunctionContext<W>, input: IN, out: Collector<OUT>): void;
  clear(window: W, context: ProcessWindowFunctionContext<W>): void;
}

/** Window contents kept as all elements, given to a ProcessWindowFunction. */
export function iterableProcessWindowFunction<IN, OUT, KEY, W extends Window>(
  fn: ProcessWindowFunction<IN, OUT, KEY, W>,
): InternalWindowFunction<Iterable<IN>, OUT, KEY, W> {
  return {
    userFunction: fn,
    process: (key, _window, context, input, out) => fn.process(key, context, input, out),
    clear: (_window, context) => fn.clear?.(context),
  };
}

/** A single pre-aggregated value (reduce, aggregate) given to a ProcessWindowFunction as a one-element iterable. */
export function singleValueProcessWindowFunction<IN, OUT, KEY, W extends Window>(
  fn: ProcessWindowFunction<IN, OUT, KEY, W>,
): InternalWindowFunction<IN, OUT, KEY, W> {
  return singleValue(iterableProcessWindowFunction(fn));
}

function callWindowFunction<IN, OUT, KEY, W extends Window>(fn: WindowFunction<IN, OUT, KEY, W>): (key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>) => void {
  return typeof fn === "function" ? fn : (key, window, input, out) => fn.apply(key, window, input, out);
}

/** Window contents kept as all elements, given to a WindowFunction. */
export function iterableWindowFunction<IN, OUT, KEY, W extends Window>(fn: WindowFunction<IN, OUT, KEY, W>): InternalWindowFunction<Iterable<IN>, OUT, KEY, W> {
  const apply = callWindowFunction(fn);
  return {
    userFunction: typeof fn === "function" ? undefined : fn,
    process: (key, window, _context, input, out) => apply(key, window, input, out),
    clear: () => {},
  };
}

/** A single pre-aggregated value given to a WindowFunction as a one-element iterable. */
export function singleValueWindowFunction<IN, OUT, KEY, W extends Window>(fn: WindowFunction<IN, OUT, KEY, W>): InternalWindowFunction<IN, OUT, KEY, W> {
  return singleValue(iterableWindowFunction(fn));
}

/** `reduce` / `aggregate` without a window function: the pre-aggregated value is the output. */
export function passThroughWindowFunction<T, KEY, W extends Window>(): InternalWindowFunction<T, T, KEY, W> {
  return {
    userFunction: undefined,
    process: (_key, _window, _context, input, out) => out.collect(input),
    clear: () => {},
  };
}

/** Flink's ProcessAllWindowFunction: a ProcessWindowFunction of a non-keyed (`windowAll`) stream, without a key. */
export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> implements Lifecycle {
  open?(context: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  /** Evaluates one firing of a window: `elements` are its contents (or the single pre-aggregated result). */
  abstract process(context: ProcessWindowFunctionContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  /** Called when the window is purged for good: delete what was kept in `context.windowState()`. */
  clear?(context: ProcessWindowFunctionContext<W>): void;
}

/** Flink's AllWindowFunction: `apply(window, input, out)`, a function or an object with `apply`. */
export type AllWindowFunction<IN, OUT, W extends Window> =
  | ((window: W, input: Iterable<IN>, out: Collector<OUT>) => void)
  | (Lifecycle & { apply(window: W, input: Iterable<IN>, out: Collector<OUT>): void });

/** Window contents kept as all elements, given to a ProcessAllWindowFunction. */
export function iterableProcessAllWindowFunction<IN, OUT, W extends Window>(
  fn: ProcessAllWindowFunction<IN, OUT, W>,
): InternalWindowFunction<Iterable<IN>, OUT, unknown, W> {
  return {
    userFunction: fn,
    process: (_key, _window, context, input, out) => fn.process(context, input, out),
    clear: (_window, context) => fn.clear?.(context),
  };
}

/** Window contents kept as all elements, given to an AllWindowFunction. */
export function iterableAllWindowFunction<IN, OUT, W extends Window>(fn: AllWindowFunction<IN, OUT, W>): InternalWindowFunction<Iterable<IN>, OUT, unknown, W> {
  const apply = typeof fn === "function" ? fn : (window: W, input: Iterable<IN>, out: Collector<OUT>) => fn.apply(window, input, out);
  return {
    userFunction: typeof fn === "function" ? undefined : fn,
    process: (_key, window, _context, input, out) => apply(window, input, out),
    clear: () => {},
  };
}

/** A function of all elements given a single pre-aggregated value instead, as a one-element iterable. */
export function singleValue<IN, OUT, KEY, W extends Window>(fn: InternalWindowFunction<Iterable<IN>, OUT, KEY, W>): InternalWindowFunction<IN, OUT, KEY, W> {
  return {
    userFunction: fn.userFunction,
    process: (key, window, context, input, out) => fn.process(key, window, context, [input], out),
    clear: (window, context) => fn.clear(window, context),
  };
}
