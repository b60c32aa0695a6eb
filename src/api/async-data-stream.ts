/**
 * Async I/O (Flink's AsyncDataStream): enriches a stream by an asynchronous call per record, with
 * many calls in flight at once. `orderedWait` emits results in input order; `unorderedWait` as
 * they complete. Either way the in-flight inputs are part of every checkpoint and are issued again
 * after a restore, so results downstream are exactly-once.
 */
import { invalidArgument } from "../core/errors.ts";
import { AsyncWaitOperator, type AsyncOutputMode } from "../runtime/operators/async-wait.ts";
import type { AsyncFunctionLike } from "./async-function.ts";
import type { DataStream, SingleOutputStream } from "./data-stream.ts";

/** Requests in flight per subtask unless told otherwise, as in Flink. */
export const DEFAULT_ASYNC_CAPACITY = 100;

function asyncWait<I, O>(mode: AsyncOutputMode, stream: DataStream<I>, fn: AsyncFunctionLike<I, O>, timeoutMs: number, capacity: number): SingleOutputStream<O> {
  const call = `AsyncDataStream.${mode}Wait()`;
  const isFunction = typeof fn === "function";
  if (!isFunction && (fn === null || typeof fn !== "object" || typeof (fn as { asyncInvoke?: unknown }).asyncInvoke !== "function")) {
    throw invalidArgument(`${call} expects an AsyncFunction (an object with asyncInvoke) or a function returning a promise`);
  }
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0) || timeoutMs === Infinity) {
    throw invalidArgument(`${call}: timeout must be a number of milliseconds, 0 or more (0 for none), got ${String(timeoutMs)}`);
  }
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw invalidArgument(`${call}: capacity must be a positive integer, got ${String(capacity)}`);
  }
  const settings = { mode, timeoutMs, capacity };
  return stream.transform<O>(mode === "ordered" ? "AsyncWait(ordered)" : "AsyncWait(unordered)", () => new AsyncWaitOperator(fn, settings));
}

export class AsyncDataStream {
  private constructor() {}

  /**
   * Results leave in the order of their inputs: a request that completed early waits for the
   * earlier ones. `timeoutMs` bounds each request (0: no timeout); `capacity` bounds the requests
   * in flight per subtask: at capacity, the operator stops taking input (back-pressure).
   */
  static orderedWait<I, O>(stream: DataStream<I>, fn: AsyncFunctionLike<I, O>, timeoutMs: number, capacity: number = DEFAULT_ASYNC_CAPACITY): SingleOutputStream<O> {
    return asyncWait("ordered", stream, fn, timeoutMs, capacity);
  }

  /**
   * Results leave as their requests complete, in any order among the records in flight; never
   * across a checkpoint barrier (see the module comment). Same timeout and capacity as `orderedWait`.
   */
  static unorderedWait<I, O>(stream: DataStream<I>, fn: AsyncFunctionLike<I, O>, timeoutMs: number, capacity: number = DEFAULT_ASYNC_CAPACITY): SingleOutputStream<O> {
    return asyncWait("unordered", stream, fn, timeoutMs, capacity);
  }
}
