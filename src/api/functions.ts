/**
 * The shapes of user functions. Each may be a plain closure or an object (typically a class
 * instance) with the processing method plus optional `open(context)` / `close()` lifecycle hooks.
 * A job is rebuilt in every worker, so each parallel subtask gets its own instance.
 */
import type { JobArgs } from "./job-args.ts";
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from "../state/descriptors.ts";
import { TimeDomain } from "../state/internal-timer-service.ts";
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from "../state/state.ts";
import type { OutputTag } from "./output-tag.ts";
import type { OperatorStateStore } from "../state/operator-state.ts";

export interface Collector<T> {
  collect(record: T): void;
}

/** Keyed state by descriptor, of the current record's key (Flink's KeyedStateStore). */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/** What a function knows of where it runs. Keyed state is available only on keyed streams. */
export interface RuntimeContext extends KeyedStateStore {
  readonly operatorName: string;
  /** Zero-based index of this parallel instance. */
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly args: JobArgs;
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/** Hooks a function may implement to hear about checkpoints (e.g. to commit side effects). */
export interface CheckpointListener {
  /** Checkpoint n is complete: every task has it and it is durable. */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /** Checkpoint n will never complete. */
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
}

/** What `initializeState` receives: the state stores of the function's operator instance. */
export interface FunctionInitializationContext {
  /** Whether the instance starts from a checkpoint that holds state of its operator. */
  isRestored(): boolean;
  /** The id of the checkpoint restored from, when `isRestored()`. */
  getRestoredCheckpointId(): number | undefined;
  getOperatorStateStore(): OperatorStateStore;
  /** Keyed state; asking it for state fails unless the function runs on a keyed stream. */
  getKeyedStateStore(): KeyedStateStore;
}

/** What `snapshotState` receives: the checkpoint being taken. */
export interface FunctionSnapshotContext {
  getCheckpointId(): number;
  /** When the checkpoint was triggered, in milliseconds since the epoch (the job clock's). */
  getCheckpointTimestamp(): number;
}

/**
 * A function with operator state (Flink's CheckpointedFunction): `initializeState` runs once per
 * instance before `open`, where the function registers its states (and reads what a restore put
 * in them); `snapshotState` runs at every checkpoint, before the states are captured, to bring
 * them up to date. Map, filter, flatMap, reduce and process functions may implement it.
 */
export interface CheckpointedFunction {
  initializeState(context: FunctionInitializationContext): void | Promise<void>;
  snapshotState(context: FunctionSnapshotContext): void | Promise<void>;
}

export interface Lifecycle extends CheckpointListener, Partial<CheckpointedFunction> {
  open?(context: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

export type MapFunction<I, O> = ((value: I) => O) | (Lifecycle & { map(value: I): O });
export type FilterFunction<T> = ((value: T) => boolean) | (Lifecycle & { filter(value: T): boolean });
/** Emits through `out`, or returns an iterable of results (or both). */
export type FlatMapFunction<I, O> =
  | ((value: I, out: Collector<O>) => Iterable<O> | void)
  | (Lifecycle & { flatMap(value: I, out: Collector<O>): Iterable<O> | void });
export type ReduceFunction<T> = ((accumulated: T, value: T) => T) | (Lifecycle & { reduce(accumulated: T, value: T): T });
export type KeySelector<T, K> = (value: T) => K;

export interface TimerService {
  currentProcessingTime(): number;
  /**
   * Registers a processing-time timer for the current key; registering the same time twice fires
   * once. Timers still pending when the input ends do not fire (as in Flink). Only functions on
   * keyed streams may set timers; elsewhere this throws ("Setting timers is only supported on
   * keyed streams", as in Flink).
   */
  registerProcessingTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  /**
   * The operator's event-time watermark: no record with a timestamp at or before it is expected.
   * `Watermark.UNINITIALIZED`'s timestamp (Number.MIN_SAFE_INTEGER) before the first watermark.
   */
  currentWatermark(): number;
  /**
   * Registers an event-time timer for the current key: it fires once the watermark reaches
   * `time`; registering the same time twice fires once. A bounded input ends with the maximum
   * watermark, so every event-time timer fires before the job ends.
   */
  registerEventTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
}

export { TimeDomain };

/** What every process function is handed with each record (Flink's ProcessFunction.Context). */
export interface ProcessContext {
  /**
   * The timestamp of the record being processed, or of the timer firing; null when the record
   * has none (no timestamp assigner upstream).
   */
  timestamp(): number | null;
  timerService(): TimerService;
  /**
   * Emits `value` to the side output `tag`; `stream.getSideOutput(tag)` on this operator's stream
   * reads it. A record sent to a side output nobody reads is dropped. The receivers own what they
   * get: changing `value` afterwards changes nothing they received.
   */
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface KeyedContext<K> extends ProcessContext {
  /** The key of the record or timer being processed. */
  getCurrentKey(): K;
}

export interface OnTimerContext<K> extends KeyedContext<K> {
  /** The firing timer's timestamp. */
  timestamp(): number;
  /** Whether an event-time or a processing-time timer fired. */
  timeDomain(): TimeDomain;
}

/**
 * Base of the function classes (Flink's AbstractRichFunction): every lifecycle, checkpoint and
 * CheckpointedFunction hook, each optional.
 */
export abstract class AbstractRichFunction implements Lifecycle {
  initializeState?(context: FunctionInitializationContext): void | Promise<void>;
  snapshotState?(context: FunctionSnapshotContext): void | Promise<void>;
  open?(context: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
}

/** Processes each record of a keyed stream, with keyed state (from `open`'s context) and timers. */
export abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: KeyedContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

/**
 * Processes each record of a stream that is not keyed (`stream.process(fn)`): it may emit any
 * number of records, send records to side outputs and read the processing time, but has no keyed
 * state and may not set timers (as in Flink).
 */
export abstract class ProcessFunction<I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
}

/** Processes the two inputs of connected streams; on keyed inputs it has keyed state and timers. */
export abstract class CoProcessFunction<I1, I2, O> extends AbstractRichFunction {
  abstract processElement1(value: I1, ctx: KeyedContext<unknown>, out: Collector<O>): void;
  abstract processElement2(value: I2, ctx: KeyedContext<unknown>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<O>): void;
}
