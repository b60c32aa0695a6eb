/**
 * Functions on a stream connected with a broadcast stream (Flink's broadcast state pattern): the
 * broadcast side (rules, configuration) reaches every parallel instance and may change broadcast
 * state; the other side reads it. Broadcast state holds the same contents on every instance
 * because only broadcast records, which every instance sees in the same order per producer,
 * change it: so it is read-only in `processElement` and `onTimer`.
 */
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from "../state/descriptors.ts";
import type { BroadcastState, ReadOnlyBroadcastState } from "../state/operator-state.ts";
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "../state/state.ts";
import { AbstractRichFunction, type Collector, type TimeDomain, type TimerService } from "./functions.ts";
import type { OutputTag } from "./output-tag.ts";

/** What both sides see (Flink's BaseBroadcastProcessFunction.BaseContext). */
export interface BroadcastBaseContext {
  /** The timestamp of the record being processed; null when it has none. */
  timestamp(): number | null;
  currentProcessingTime(): number;
  /** The operator's event-time watermark (Number.MIN_SAFE_INTEGER before the first one). */
  currentWatermark(): number;
  /** Emits `value` to the side output `tag` (see ProcessContext.output). */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** What the non-broadcast side sees: broadcast state, read-only. */
export interface BroadcastReadOnlyContext extends BroadcastBaseContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** What the broadcast side sees: broadcast state, writable. */
export interface BroadcastContext extends BroadcastBaseContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** The non-broadcast side of a keyed stream: read-only broadcast state, the current key, timers. */
export interface KeyedBroadcastReadOnlyContext<K> extends BroadcastReadOnlyContext {
  getCurrentKey(): K;
  timerService(): TimerService;
}

/** A timer of a keyed broadcast process function: its time and key, and read-only broadcast state. */
export interface KeyedBroadcastOnTimerContext<K> extends KeyedBroadcastReadOnlyContext<K> {
  /** The firing timer's timestamp. */
  timestamp(): number;
  /** Whether an event-time or a processing-time timer fired. */
  timeDomain(): TimeDomain;
}

/** Runs once per key that holds a value of the state, with that key current: a function, or Flink's object with `process`. */
export type KeyedStateFunction<K, S extends State> = ((key: K, state: S) => void) | { process(key: K, state: S): void };

/** The broadcast side of a keyed stream: writable broadcast state, and every key's keyed state. */
export interface KeyedBroadcastContext extends BroadcastContext {
  /**
   * Calls `fn` for every key of this instance that holds a value of the state `descriptor` names,
   * with that key current, so `state` reads and writes that key's value. A composite key is given
   * as its JSON form (a plain object or array).
   */
  applyToKeyedState<K, T>(descriptor: ValueStateDescriptor<T>, fn: KeyedStateFunction<K, ValueState<T>>): void;
  applyToKeyedState<K, T>(descriptor: ListStateDescriptor<T>, fn: KeyedStateFunction<K, ListState<T>>): void;
  applyToKeyedState<K, UK, UV>(descriptor: MapStateDescriptor<UK, UV>, fn: KeyedStateFunction<K, MapState<UK, UV>>): void;
  applyToKeyedState<K, T>(descriptor: ReducingStateDescriptor<T>, fn: KeyedStateFunction<K, ReducingState<T>>): void;
  applyToKeyedState<K, IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>, fn: KeyedStateFunction<K, AggregatingState<IN, OUT>>): void;
}

/** Processes a non-keyed stream connected with a broadcast stream. */
export abstract class BroadcastProcessFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: BroadcastReadOnlyContext, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
}

/** Processes a keyed stream connected with a broadcast stream; it has keyed state and timers. */
export abstract class KeyedBroadcastProcessFunction<KS, IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: KeyedBroadcastReadOnlyContext<KS>, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: KeyedBroadcastOnTimerContext<KS>, out: Collector<OUT>): void;
}
