/**
 * Async I/O (Flink's AsyncWaitOperator): calls an async function per record and emits the
 * results when its requests complete, with up to `capacity` requests in flight.
 *
 * Everything that happens outside the task's steps (a promise settles, a request times out) only
 * records the fact and asks the task for a step; results are emitted, and failures raised, in
 * `processMail`, which the task calls in a step. So no result is emitted while the task takes a
 * checkpoint, or between the snapshot of this operator and the barrier.
 *
 * Back-pressure: at capacity, `inputRoom()` is 0 and the task stops reading input, while still
 * handling checkpoints, timers and completions; a source task in the chain polls no more records
 * than there is room for. Records of a batch that was already being delivered when capacity was
 * reached wait, unissued, until a request is released; they count as in flight for checkpoints.
 *
 * Checkpoints: the input of every request not yet released (completed or not) and of every
 * waiting record is stored, as copied when it arrived (the function may change its input); after a
 * restore they are issued again, in the same order. A barrier never waits for requests.
 *
 * Event time: results carry their input record's timestamp (stored in checkpoints too), and a
 * watermark leaves only after the results of every record that came before it (ordered mode: in
 * input order; unordered mode: results are unordered only between watermarks, as in Flink).
 */
import type { AsyncFunctionLike, ResultFuture } from "../../api/async-function.ts";
import { timerDelay, type Clock } from "../../core/clock.ts";
import { deepCopy } from "../../core/deep-copy.ts";
import { WeirError } from "../../core/errors.ts";
import { OrderedRequestQueue, UnorderedRequestQueue, type AsyncRequest, type AsyncRequestQueue } from "./async-queue.ts";
import type { RecordTimestamp } from "../record-timestamp.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { UserFunctionOperator, userCallable } from "./user-function.ts";

export type AsyncOutputMode = "ordered" | "unordered";

export interface AsyncWaitSettings {
  readonly mode: AsyncOutputMode;
  /** Milliseconds; 0 for no timeout (as in Flink). */
  readonly timeoutMs: number;
  readonly capacity: number;
}

/** What a checkpoint stores of this operator: the inputs to issue again, in order, and their timestamps. */
interface AsyncWaitState {
  readonly inputs: unknown[];
  /** Parallel to `inputs`; absent in checkpoints taken before records had timestamps. */
  readonly timestamps?: (number | null)[];
}

/** A record that arrived at capacity, or a watermark that arrived behind such records. */
type Waiting = { readonly input: unknown; readonly timestamp: number | null } | { readonly watermark: number };

type Invoke = (input: unknown, future: ResultFuture<unknown>) => void | PromiseLike<void>;
type TimeoutHandler = (input: unknown, future: ResultFuture<unknown>) => void;

interface Request extends AsyncRequest {
  /** The input as it arrived, kept for checkpoints; the function gets `input` itself. */
  readonly stored: unknown;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";

/** A closure's promised value as results: an array's elements, none for undefined, else the one value. */
function resultsOf(value: unknown): readonly unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The `asyncInvoke` of an AsyncFunction, or of a closure returning a promise. */
function invokerOf(fn: AsyncFunctionLike<unknown, unknown>): Invoke {
  if (typeof fn !== "function") return userCallable<Invoke>(fn, "asyncInvoke");
  return (input, future) => {
    const pending = fn(input);
    if (!isThenable(pending)) throw new TypeError(`an async function must return a promise, got ${pending === null ? "null" : typeof pending}`);
    return pending.then((value) => future.complete(resultsOf(value)));
  };
}

export class AsyncWaitOperator<I, O> extends UserFunctionOperator<AsyncFunctionLike<I, O>, O> implements StreamOperator {
  private readonly invoke: Invoke;
  private readonly timeoutHandler: TimeoutHandler | undefined;
  private readonly queue: AsyncRequestQueue;
  /** Records that arrived at capacity, not issued yet, and watermarks behind them. */
  private readonly waiting: Waiting[] = [];
  /** Requests with a deadline, in issue order, hence in deadline order; released ones are skipped. */
  private readonly byDeadline: Request[] = [];
  /** The first failure of a request: raised at the next mail. */
  private failure: { readonly cause: unknown } | undefined;
  private clock!: Clock;
  private time!: RecordTimestamp;
  private requestStep: () => void = () => {};
  /** Wakes `endInput` while it waits for the last requests. */
  private wakeDrain: (() => void) | undefined;
  private keepInputs = false;
  private closed = false;

  constructor(
    fn: AsyncFunctionLike<I, O>,
    private readonly settings: AsyncWaitSettings,
  ) {
    super(fn);
    this.invoke = invokerOf(fn as AsyncFunctionLike<unknown, unknown>);
    const timeout = typeof fn === "function" ? undefined : fn.timeout;
    this.timeoutHandler = typeof timeout === "function" ? (timeout.bind(fn) as TimeoutHandler) : undefined;
    this.queue = settings.mode === "ordered" ? new OrderedRequestQueue() : new UnorderedRequestQueue();
  }

  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.clock = context.clock;
    this.time = context.recordTimestamp;
    this.requestStep = context.requestStep;
    this.keepInputs = context.checkpointing;
    await super.open(context, output);
    // Rescaled, a subtask takes over the in-flight inputs of several old subtasks.
    for (const restored of (context.restored?.states ?? []) as AsyncWaitState[]) {
      const inputs = restored.inputs;
      for (let i = 0; i < inputs.length; i++) this.accept(inputs[i], restored.timestamps?.[i] ?? null);
    }
  }

  processElement(record: unknown): void {
    this.accept(record, this.time.current);
  }

  private accept(record: unknown, timestamp: number | null): void {
    if (this.inputRoom() > 0) this.issue(record, timestamp);
    else this.waiting.push({ input: record, timestamp });
  }

  /** A watermark leaves at once when nothing is ahead of it; otherwise it queues behind what is. */
  processWatermark(watermark: number): void {
    if (this.waiting.length > 0) this.waiting.push({ watermark });
    else if (this.queue.size > 0) {
      this.queue.add(watermarkEntry(watermark));
      this.signal();
    } else this.output.emitWatermark?.(watermark);
  }

  inputRoom(): number {
    // Watermark entries count in the queue too, so it can hold more than `capacity` entries.
    return this.waiting.length > 0 ? 0 : Math.max(0, this.settings.capacity - this.queue.size);
  }

  hasMail(): boolean {
    return this.failure !== undefined || this.queue.hasReady();
  }

  /** Raises a failure, emits what may leave, then issues waiting records into the freed room. */
  processMail(): void {
    if (this.failure !== undefined) this.fail(this.failure.cause);
    for (let request = this.queue.pollReady(); request !== undefined; request = this.queue.pollReady()) {
      if (request.watermark !== undefined) {
        this.output.emitWatermark?.(request.watermark);
        continue;
      }
      const previous = this.time.current;
      this.time.current = request.timestamp;
      try {
        for (const result of request.results!) this.output.collect(result as O);
      } finally {
        this.time.current = previous;
      }
    }
    while (this.waiting.length > 0 && this.queue.size < this.settings.capacity) {
      const next = this.waiting.shift()!;
      if ("watermark" in next) this.queue.add(watermarkEntry(next.watermark));
      else this.issue(next.input, next.timestamp);
    }
    if (this.queue.hasReady()) this.signal();
  }

  nextTimerTime(): number | undefined {
    const byDeadline = this.byDeadline;
    while (byDeadline.length > 0 && byDeadline[0]!.results !== undefined) byDeadline.shift();
    return byDeadline[0]?.deadline;
  }

  /** Requests past their deadline time out: the function's timeout handler decides, else the task fails. */
  onProcessingTime(now: number): void {
    const byDeadline = this.byDeadline;
    while (byDeadline.length > 0 && (byDeadline[0]!.results !== undefined || byDeadline[0]!.deadline! <= now)) {
      const request = byDeadline.shift()!;
      if (request.results !== undefined) continue;
      if (this.timeoutHandler === undefined) {
        this.raise(
          new WeirError(
            "WEIR_ERR_ASYNC_TIMEOUT",
            `an async request of operator '${this.name}' did not complete within ${this.settings.timeoutMs} ms; ` +
              `raise the timeout, or give the AsyncFunction a timeout(input, resultFuture) handler`,
          ),
        );
        continue;
      }
      try {
        this.timeoutHandler(request.input, this.futureOf(request));
      } catch (e) {
        this.raise(e);
      }
    }
  }

  /** The end of input waits for every request, emitting as they complete; timeouts still apply. */
  async endInput(): Promise<void> {
    for (;;) {
      this.processMail();
      if (this.queue.size === 0 && this.waiting.length === 0) return;
      const deadline = this.nextTimerTime();
      await new Promise<void>((resolve) => {
        const timer = deadline === undefined ? undefined : setTimeout(resolve, timerDelay(deadline, this.clock.now()));
        this.wakeDrain = () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        };
      });
      this.wakeDrain = undefined;
      this.onProcessingTime(this.clock.now());
    }
  }

  override async snapshotState(checkpointId: number, timestamp: number): Promise<AsyncWaitState> {
    const inputs: unknown[] = [];
    const timestamps: (number | null)[] = [];
    for (const r of this.queue.requests() as Request[]) {
      if (r.watermark !== undefined) continue;
      inputs.push(r.stored);
      timestamps.push(r.timestamp);
    }
    for (const w of this.waiting) {
      if ("watermark" in w) continue;
      inputs.push(w.input);
      timestamps.push(w.timestamp);
    }
    await super.snapshotState(checkpointId, timestamp);
    return timestamps.every((t) => t === null) ? { inputs } : { inputs, timestamps };
  }

  override close(): Promise<void> {
    this.closed = true;
    return super.close();
  }

  private issue(input: unknown, timestamp: number | null): void {
    const timeoutMs = this.settings.timeoutMs;
    const request: Request = {
      input,
      timestamp,
      stored: this.keepInputs ? deepCopy(input) : input,
      deadline: timeoutMs > 0 ? this.clock.now() + timeoutMs : undefined,
      results: undefined,
    };
    this.queue.add(request);
    if (request.deadline !== undefined) this.byDeadline.push(request);
    const future = this.futureOf(request);
    let started: void | PromiseLike<void>;
    try {
      started = this.invoke(input, future);
    } catch (e) {
      this.fail(e);
    }
    if (isThenable(started)) started.then(undefined, (e: unknown) => future.completeExceptionally(e));
  }

  private futureOf(request: Request): ResultFuture<unknown> {
    return {
      complete: (results) => {
        if (request.results !== undefined || this.closed) return;
        let copied: unknown[];
        try {
          copied = Array.from(results);
        } catch (e) {
          this.raise(e);
          return;
        }
        request.results = copied;
        this.queue.completed(request);
        this.signal();
      },
      completeExceptionally: (error) => {
        if (request.results !== undefined || this.closed) return;
        request.results = [];
        this.raise(error);
      },
    };
  }

  private raise(cause: unknown): void {
    if (this.failure === undefined) this.failure = { cause };
    this.signal();
  }

  private signal(): void {
    this.requestStep();
    this.wakeDrain?.();
  }
}

function watermarkEntry(watermark: number): Request {
  return { input: undefined, stored: undefined, timestamp: null, watermark, deadline: undefined, results: [] };
}
