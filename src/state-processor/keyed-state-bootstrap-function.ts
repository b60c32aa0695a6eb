/**
 * Keyed state written by a function, as Flink's KeyedStateBootstrapFunction writes it: each
 * element of `data` is keyed by `keyBy`, and `processElement` runs with that key current, asking
 * for state through the runtime context its `open` received (`getState(descriptor)`, with the
 * descriptor the job uses, version and all) and registering timers for the key through
 * `ctx.timerService()`. Each subtask of the operator being written opens the function, gets the
 * elements whose keys it owns, in order, and closes it, as a running job's subtasks would.
 *
 * The timer service is that of a job that has not started: `currentWatermark()` is
 * MIN_WATERMARK and `currentProcessingTime()` the time of the write. Timers are written as a
 * running job writes its own; a restored job fires event-time timers once its watermark reaches
 * them and processing-time timers once its clock passes them.
 */
import type { RuntimeContext, TimerService } from "../api/functions.ts";

/** What `processElement` is handed with each element. */
export interface KeyedStateBootstrapContext<K> {
  /** The key `keyBy` gave the element. */
  getCurrentKey(): K;
  timerService(): TimerService;
}

/** Writes the keyed state and timers of one element (Flink's KeyedStateBootstrapFunction). */
export abstract class KeyedStateBootstrapFunction<K, T> {
  /** Called once per subtask, before its elements; ask for state here. */
  open?(context: RuntimeContext): void | Promise<void>;
  abstract processElement(value: T, ctx: KeyedStateBootstrapContext<K>): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** The elements, their key, and the function that writes each one's state (Flink's `bootstrapWith(data).keyBy(...).transform(...)`). */
export interface KeyedBootstrap<K, T> {
  readonly data: Iterable<T> | AsyncIterable<T>;
  readonly keyBy: (value: T) => K;
  readonly function: KeyedStateBootstrapFunction<K, T>;
}
