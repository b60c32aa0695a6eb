/**
 * The user side of async I/O (Flink's AsyncFunction): a function that starts an asynchronous
 * request per record and completes it later, so one task keeps many requests in flight.
 */
import type { Lifecycle, RuntimeContext } from "./functions.ts";

/** Completes one request; only the first call counts, later ones are ignored (as in Flink). */
export interface ResultFuture<O> {
  /** The request's results, emitted downstream as records (none for an empty collection). */
  complete(results: Iterable<O>): void;
  /** The request failed: the task fails with `error` as its cause, and the job's restart strategy decides what follows. */
  completeExceptionally(error: unknown): void;
}

/**
 * Starts a request for `input` in `asyncInvoke` and completes `resultFuture` when it is done (from
 * a promise's callback, typically). A rejected promise returned by `asyncInvoke`, or an exception
 * it throws, fails the task. `timeout` is called for a request that did not complete within the
 * operator's timeout; without it, a timeout fails the task (WEIR_ERR_ASYNC_TIMEOUT).
 */
export abstract class AsyncFunction<I, O> implements Lifecycle {
  open?(context: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
  abstract asyncInvoke(input: I, resultFuture: ResultFuture<O>): void | Promise<void>;
  timeout?(input: I, resultFuture: ResultFuture<O>): void;
}

/** Flink's name for an AsyncFunction with `open` / `close`; every AsyncFunction here has them. */
export abstract class RichAsyncFunction<I, O> extends AsyncFunction<I, O> {}

/**
 * What `AsyncDataStream.orderedWait` / `unorderedWait` accept: an AsyncFunction (class or plain
 * object with `asyncInvoke`), or a function returning a promise per record. That promise's value
 * is the request's result: an array gives one result per element (an empty array, none);
 * `undefined` gives none; any other value is the one result. To emit an array as one record, wrap
 * it: `[[a, b]]`.
 */
export type AsyncFunctionLike<I, O> =
  | ((input: I) => Promise<O | readonly O[] | undefined>)
  | (Lifecycle & { asyncInvoke(input: I, resultFuture: ResultFuture<O>): void | Promise<void>; timeout?(input: I, resultFuture: ResultFuture<O>): void });
