/**
 * Windowed streams (Flink's WindowedStream and AllWindowedStream): `keyBy(...).window(assigner)`
 * and `windowAll(assigner)`, optionally with a trigger, an evictor, an allowed lateness and a
 * late-data side output, then a window function: `reduce`, `aggregate`, `process`, `apply`, or a
 * field aggregation. Each builds one window operator (see runtime/operators/window-operator.ts).
 * Settings are checked as they are given, so a bad window fails while the job is built
 * (WEIR_ERR_INVALID_WINDOW).
 */
import { invalidArgument } from "../core/errors.ts";
import { WindowOperator, type WindowOperatorSpec } from "../runtime/operators/window-operator.ts";
import type { WindowContents } from "../runtime/operators/window-contents.ts";
import { userCallable } from "../runtime/operators/user-function.ts";
import type { AggregateFunction } from "../state/descriptors.ts";
import type { Evictor } from "../windowing/evictor.ts";
import type { WindowSpec } from "../windowing/count-windows.ts";
import { checkAllowedLateness } from "../windowing/lateness.ts";
import { Trigger } from "../windowing/trigger.ts";
import { invalidWindow } from "../windowing/window-arguments.ts";
import { WindowAssigner, isMergingWindowAssigner } from "../windowing/window-assigner.ts";
import {
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  iterableAllWindowFunction,
  iterableProcessAllWindowFunction,
  iterableProcessWindowFunction,
  iterableWindowFunction,
  passThroughWindowFunction,
  singleValue,
  type AllWindowFunction,
  type InternalWindowFunction,
  type WindowFunction,
} from "../windowing/window-functions.ts";
import type { Window } from "../windowing/windows.ts";
import type { SingleOutputStream } from "./data-stream.ts";
import type { OperatorFactory } from "../runtime/operators/operator.ts";
import { fieldAggregation, type FieldAggregation, type NumericField } from "./field-aggregations.ts";
import type { ReduceFunction } from "./functions.ts";
import { checkOutputTag, type OutputTag } from "./output-tag.ts";

/** @internal The stream a windowed stream reads: keyed (by the user's key, or by one constant key for windowAll). */
export interface WindowInput {
  transform<O>(operatorType: string, factory: OperatorFactory): SingleOutputStream<O>;
}

/** Refuses an assigner that is not one; `where` names the call. */
function checkAssigner<T, W extends Window>(assigner: WindowAssigner<T, W>, where: string): WindowAssigner<T, W> {
  if (!(assigner instanceof WindowAssigner)) {
    throw invalidWindow(`${where} needs a WindowAssigner (TumblingEventTimeWindows.of(...), EventTimeSessionWindows.withGap(...), GlobalWindows.create(), ...), got ${describe(assigner)}`);
  }
  return assigner;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value;
}

/** A function object with lifecycle hooks where Flink refuses a RichFunction (pre-aggregation functions are never opened). */
function refuseLifecycle(fn: unknown, what: string, instead: string): void {
  if (fn !== null && typeof fn === "object" && (typeof (fn as { open?: unknown }).open === "function" || typeof (fn as { close?: unknown }).close === "function")) {
    throw invalidArgument(`the ${what} of a windowed stream is never opened, so it may not have open() or close(): ${instead}`);
  }
}

function checkAggregateFunction(fn: AggregateFunction<unknown, unknown, unknown>): void {
  const f = fn as Partial<AggregateFunction<unknown, unknown, unknown>> | null;
  if (f === null || typeof f !== "object" || typeof f.createAccumulator !== "function" || typeof f.add !== "function" || typeof f.getResult !== "function") {
    throw invalidArgument(`aggregate() needs an AggregateFunction: an object with createAccumulator(), add(value, accumulator) and getResult(accumulator), got ${describe(fn)}`);
  }
  refuseLifecycle(fn, "AggregateFunction", "use aggregate(aggregateFunction, processWindowFunction) and open the window function instead");
}

function isProcessFunction(fn: unknown): boolean {
  return fn instanceof ProcessWindowFunction || fn instanceof ProcessAllWindowFunction || (typeof fn === "object" && fn !== null && typeof (fn as { process?: unknown }).process === "function");
}

/**
 * What keyed and non-keyed windowed streams share: the window's settings and the operator they
 * build. `K` is the key type (unknown for windowAll).
 */
abstract class WindowedStreamBase<T, K, W extends Window> {
  private customTrigger: Trigger<T, W> | undefined;
  private customEvictor: Evictor<T, W> | undefined;
  private lateness = 0;
  private lateDataTag: OutputTag<T> | undefined;
  protected readonly assigner: WindowAssigner<T, W>;

  constructor(
    private readonly input: WindowInput,
    spec: WindowSpec<T, W> | WindowAssigner<T, W>,
    where: string,
  ) {
    if (spec instanceof WindowAssigner || spec === null || typeof spec !== "object" || !("assigner" in spec)) {
      this.assigner = checkAssigner(spec as WindowAssigner<T, W>, where);
    } else {
      this.assigner = spec.assigner;
      this.customTrigger = spec.trigger;
      this.customEvictor = spec.evictor;
    }
  }

  /** The trigger that decides when windows fire, instead of the assigner's default. A merging assigner needs one that can merge. */
  trigger(trigger: Trigger<T, W>): this {
    if (!(trigger instanceof Trigger)) throw invalidWindow(`trigger() needs a Trigger (EventTimeTrigger.create(), CountTrigger.of(n), ...), got ${describe(trigger)}`);
    if (isMergingWindowAssigner(this.assigner) && !trigger.canMerge()) {
      throw invalidWindow(`${String(this.assigner)} merges windows, so it cannot be used with ${String(trigger)}, a trigger that does not support merging (canMerge() is false)`);
    }
    this.customTrigger = trigger;
    return this;
  }

  /** Removes elements from a window before and/or after its function runs; the window then keeps every element. */
  evictor(evictor: Evictor<T, W>): this {
    const e = evictor as Partial<Evictor<T, W>> | null;
    if (e === null || typeof e !== "object" || typeof e.evictBefore !== "function" || typeof e.evictAfter !== "function") {
      throw invalidWindow(`evictor() needs an Evictor (CountEvictor.of(n), TimeEvictor.of(ms), ...), got ${describe(evictor)}`);
    }
    this.customEvictor = evictor;
    return this;
  }

  /** How long (ms) an event-time window is kept after the watermark passed its end; late elements within it fire the window again. Default 0. */
  allowedLateness(lateness: number): this {
    this.lateness = checkAllowedLateness(lateness);
    return this;
  }

  /** Sends elements that arrive too late for every window to `tag`, read with `getSideOutput(tag)` on the result, instead of dropping them. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateDataTag = checkOutputTag(tag, "sideOutputLateData()");
    return this;
  }

  /** Incrementally reduces each window's elements to one, emitted as it is when the window fires. */
  protected reduceWith<OUT>(fn: ReduceFunction<T>, windowFunction: InternalWindowFunction<Iterable<T>, OUT, K, W> | undefined): SingleOutputStream<OUT> {
    refuseLifecycle(fn, "ReduceFunction", "use reduce(reduceFunction, processWindowFunction) and open the window function instead");
    const reduce = userCallable<(accumulated: T, value: T) => T>(fn, "reduce");
    return this.build("reduce", { kind: "reduce", reduce }, windowFunction === undefined ? passThroughWindowFunction() : singleValue(windowFunction));
  }

  protected aggregateWith<ACC, R, OUT>(fn: AggregateFunction<T, ACC, R>, windowFunction: InternalWindowFunction<Iterable<R>, OUT, K, W> | undefined): SingleOutputStream<OUT> {
    checkAggregateFunction(fn as AggregateFunction<unknown, unknown, unknown>);
    if (isMergingWindowAssigner(this.assigner) && this.customEvictor === undefined && typeof fn.merge !== "function") {
      throw invalidWindow(`${String(this.assigner)} merges windows, so the AggregateFunction given to aggregate() needs a merge(a, b) method`);
    }
    const aggregate = fn as AggregateFunction<T, unknown, unknown>;
    return this.build("aggregate", { kind: "aggregate", aggregate }, windowFunction === undefined ? passThroughWindowFunction() : singleValue(windowFunction));
  }

  /** @internal Keeps every element of each window for `windowFunction` (windowed joins build on it). */
  buildOnElements<OUT>(what: string, windowFunction: InternalWindowFunction<Iterable<T>, OUT, K, W>): SingleOutputStream<OUT> {
    return this.build(what, { kind: "list" }, windowFunction);
  }

  /** The sum of a numeric field per window; other fields are those of the window's first element. */
  sum(field: NumericField<T>): SingleOutputStream<T> {
    return this.fieldAggregate("sum", field);
  }

  /** The minimum of a field per window; other fields are those of the window's first element. */
  min(field: NumericField<T>): SingleOutputStream<T> {
    return this.fieldAggregate("min", field);
  }

  /** The maximum of a field per window; other fields are those of the window's first element. */
  max(field: NumericField<T>): SingleOutputStream<T> {
    return this.fieldAggregate("max", field);
  }

  /** The element with the smallest value of a field per window (the first one on ties). */
  minBy(field: NumericField<T>): SingleOutputStream<T> {
    return this.fieldAggregate("minBy", field);
  }

  /** The element with the largest value of a field per window (the first one on ties). */
  maxBy(field: NumericField<T>): SingleOutputStream<T> {
    return this.fieldAggregate("maxBy", field);
  }

  private fieldAggregate(kind: FieldAggregation, field: NumericField<T>): SingleOutputStream<T> {
    return this.reduceWith<T>(fieldAggregation<T>(kind, field), undefined);
  }

  private build<OUT>(what: string, contents: WindowContents<T>, windowFunction: InternalWindowFunction<never, OUT, K, W>): SingleOutputStream<OUT> {
    const trigger = this.customTrigger ?? this.assigner.getDefaultTrigger();
    const spec: WindowOperatorSpec<T, OUT, K, W> = {
      assigner: this.assigner,
      trigger,
      evictor: this.customEvictor,
      allowedLateness: this.lateness,
      lateDataOutputTag: this.lateDataTag,
      contents,
      windowFunction: windowFunction as InternalWindowFunction<unknown, OUT, K, W>,
    };
    const evicting = this.customEvictor === undefined ? "" : ", evicting";
    return this.input.transform<OUT>(`Window(${String(this.assigner)}, ${String(trigger)}${evicting}, ${what})`, () => new WindowOperator(spec));
  }
}

/** The windows of a keyed stream: `keyBy(...).window(assigner)` or `keyBy(...).countWindow(n)`. */
export class WindowedStream<T, K, W extends Window> extends WindowedStreamBase<T, K, W> {
  /** @internal */
  constructor(input: WindowInput, spec: WindowSpec<T, W> | WindowAssigner<T, W>) {
    super(input, spec, "window()");
  }

  /** Reduces each window's elements to one (emitted when it fires); with a window function, that one is its input. */
  reduce(fn: ReduceFunction<T>): SingleOutputStream<T>;
  reduce<OUT>(fn: ReduceFunction<T>, windowFunction: ProcessWindowFunction<T, OUT, K, W> | WindowFunction<T, OUT, K, W>): SingleOutputStream<OUT>;
  reduce<OUT>(fn: ReduceFunction<T>, windowFunction?: ProcessWindowFunction<T, OUT, K, W> | WindowFunction<T, OUT, K, W>): SingleOutputStream<OUT> {
    return this.reduceWith(fn, windowFunction === undefined ? undefined : keyedFunction(windowFunction));
  }

  /** Aggregates each window's elements incrementally; emits the aggregate's result, or gives it to a window function. */
  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): SingleOutputStream<R>;
  aggregate<ACC, R, OUT>(fn: AggregateFunction<T, ACC, R>, windowFunction: ProcessWindowFunction<R, OUT, K, W> | WindowFunction<R, OUT, K, W>): SingleOutputStream<OUT>;
  aggregate<ACC, R, OUT>(fn: AggregateFunction<T, ACC, R>, windowFunction?: ProcessWindowFunction<R, OUT, K, W> | WindowFunction<R, OUT, K, W>): SingleOutputStream<OUT> {
    return this.aggregateWith(fn, windowFunction === undefined ? undefined : keyedFunction(windowFunction));
  }

  /** Evaluates `fn` on all elements of each window when it fires, with the window's context (state, time, side outputs). */
  process<OUT>(fn: ProcessWindowFunction<T, OUT, K, W>): SingleOutputStream<OUT> {
    return this.buildOnElements("process", keyedFunction(fn));
  }

  /** Evaluates `fn(key, window, elements, out)` on all elements of each window when it fires. */
  apply<OUT>(fn: WindowFunction<T, OUT, K, W>): SingleOutputStream<OUT> {
    return this.buildOnElements("apply", keyedFunction(fn));
  }
}

function keyedFunction<IN, OUT, K, W extends Window>(fn: ProcessWindowFunction<IN, OUT, K, W> | WindowFunction<IN, OUT, K, W>): InternalWindowFunction<Iterable<IN>, OUT, K, W> {
  if (isProcessFunction(fn)) return iterableProcessWindowFunction(fn as ProcessWindowFunction<IN, OUT, K, W>);
  checkApply(fn);
  return iterableWindowFunction(fn as WindowFunction<IN, OUT, K, W>);
}

function checkApply(fn: unknown): void {
  if (typeof fn === "function" || (typeof fn === "object" && fn !== null && typeof (fn as { apply?: unknown }).apply === "function")) return;
  throw invalidArgument(`a window function must be a ProcessWindowFunction, a function or an object with an apply() method, got ${describe(fn)}`);
}

/** The windows of a whole stream (`windowAll(assigner)`, `countWindowAll(n)`): one window operator of parallelism 1. */
export class AllWindowedStream<T, W extends Window> extends WindowedStreamBase<T, unknown, W> {
  /** @internal */
  constructor(input: WindowInput, spec: WindowSpec<T, W> | WindowAssigner<T, W>) {
    super(input, spec, "windowAll()");
  }

  reduce(fn: ReduceFunction<T>): SingleOutputStream<T>;
  reduce<OUT>(fn: ReduceFunction<T>, windowFunction: ProcessAllWindowFunction<T, OUT, W> | AllWindowFunction<T, OUT, W>): SingleOutputStream<OUT>;
  reduce<OUT>(fn: ReduceFunction<T>, windowFunction?: ProcessAllWindowFunction<T, OUT, W> | AllWindowFunction<T, OUT, W>): SingleOutputStream<OUT> {
    return this.reduceWith(fn, windowFunction === undefined ? undefined : allFunction(windowFunction));
  }

  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): SingleOutputStream<R>;
  aggregate<ACC, R, OUT>(fn: AggregateFunction<T, ACC, R>, windowFunction: ProcessAllWindowFunction<R, OUT, W> | AllWindowFunction<R, OUT, W>): SingleOutputStream<OUT>;
  aggregate<ACC, R, OUT>(fn: AggregateFunction<T, ACC, R>, windowFunction?: ProcessAllWindowFunction<R, OUT, W> | AllWindowFunction<R, OUT, W>): SingleOutputStream<OUT> {
    return this.aggregateWith(fn, windowFunction === undefined ? undefined : allFunction(windowFunction));
  }

  process<OUT>(fn: ProcessAllWindowFunction<T, OUT, W>): SingleOutputStream<OUT> {
    return this.buildOnElements("process", allFunction(fn));
  }

  apply<OUT>(fn: AllWindowFunction<T, OUT, W>): SingleOutputStream<OUT> {
    return this.buildOnElements("apply", allFunction(fn));
  }
}

function allFunction<IN, OUT, W extends Window>(fn: ProcessAllWindowFunction<IN, OUT, W> | AllWindowFunction<IN, OUT, W>): InternalWindowFunction<Iterable<IN>, OUT, unknown, W> {
  if (isProcessFunction(fn)) return iterableProcessAllWindowFunction(fn as ProcessAllWindowFunction<IN, OUT, W>);
  checkApply(fn);
  return iterableAllWindowFunction(fn as AllWindowFunction<IN, OUT, W>);
}
