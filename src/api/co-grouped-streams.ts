/**
 * Window joins and co-groups of two streams (Flink's CoGroupedStreams and JoinedStreams):
 * `a.coGroup(b).where(keyA).equalTo(keyB).window(assigner).apply(coGroupFunction)` hands the
 * function, per key and window, the elements of each side; `a.join(b)...apply(joinFunction)`
 * calls the function for every pair of them (nothing for a key and window that one side lacks).
 *
 * Built as Flink builds them: each side is tagged (a map to [0, a] or [1, b]), the two are united
 * and keyed by the key of either side, and one window operator keeps both sides' elements per
 * key and window; the function splits them again when the window fires. So everything a window
 * has (triggers, evictors, allowed lateness, checkpointed contents) a join has too, and what it
 * emits carries the window's max timestamp.
 */
import type { Collector, KeySelector, Lifecycle } from "./functions.ts";
import { isFlatJoinFunction, type CoGroupFunction, type FlatJoinFunction, type JoinFunction } from "./join-functions.ts";
import type { DataStream, SingleOutputStream } from "./data-stream.ts";
import { WindowedStream, type WindowInput } from "./windowed-stream.ts";
import { userCallable } from "../runtime/operators/user-function.ts";
import type { Evictor } from "../windowing/evictor.ts";
import type { Trigger } from "../windowing/trigger.ts";
import type { WindowAssigner } from "../windowing/window-assigner.ts";
import type { InternalWindowFunction } from "../windowing/window-functions.ts";
import type { Window } from "../windowing/windows.ts";

/** An element of either side, tagged with its side: 0 for the first stream, 1 for the second. */
type Tagged<A, B> = readonly [0, A] | readonly [1, B];

/** The two streams, their keys and window of a join or co-group; the window's settings are checked as they are given. */
abstract class TwoInputWindow<A, B, K, W extends Window> {
  private readonly windowed: WindowedStream<Tagged<A, B>, K, W>;

  /** @internal */
  constructor(first: DataStream<A>, second: DataStream<B>, keyA: KeySelector<A, K>, keyB: KeySelector<B, K>, assigner: WindowAssigner<unknown, W>) {
    // The tagged, united and keyed input is appended to the job only when the function is given.
    const input: WindowInput = {
      transform: (operatorType, factory) => {
        const tagged = first.map((a): Tagged<A, B> => [0, a]).union(second.map((b): Tagged<A, B> => [1, b]));
        return tagged.keyBy((t) => (t[0] === 0 ? keyA(t[1]) : keyB(t[1]))).transform(operatorType, factory);
      },
    };
    this.windowed = new WindowedStream<Tagged<A, B>, K, W>(input, assigner as WindowAssigner<Tagged<A, B>, W>);
  }

  /** The trigger that decides when windows fire, instead of the assigner's default. */
  trigger(trigger: Trigger<unknown, W>): this {
    this.windowed.trigger(trigger);
    return this;
  }

  /** Removes elements (of either side) from a window before and/or after the function runs. */
  evictor(evictor: Evictor<unknown, W>): this {
    this.windowed.evictor(evictor);
    return this;
  }

  /** How long (ms) an event-time window is kept after the watermark passed its end; late elements within it fire the window again. */
  allowedLateness(lateness: number): this {
    this.windowed.allowedLateness(lateness);
    return this;
  }

  /** Evaluates `coGroup(first, second, out)` with each side's elements of every window that fires. */
  protected build<O>(what: string, userFunction: unknown, coGroup: (first: A[], second: B[], out: Collector<O>) => void): SingleOutputStream<O> {
    const fn: InternalWindowFunction<Iterable<Tagged<A, B>>, O, K, W> = {
      userFunction: typeof userFunction === "object" && userFunction !== null ? (userFunction as Lifecycle) : undefined,
      process: (_key, _window, _context, input, out) => {
        const first: A[] = [];
        const second: B[] = [];
        for (const t of input) {
          if (t[0] === 0) first.push(t[1]);
          else second.push(t[1]);
        }
        coGroup(first, second, out);
      },
      clear: () => {},
    };
    return this.windowed.buildOnElements(what, fn);
  }
}

export class CoGroupedWindow<A, B, K, W extends Window> extends TwoInputWindow<A, B, K, W> {
  /** Calls `fn` with both sides' elements per key and window (one side may be empty). */
  apply<O>(fn: CoGroupFunction<A, B, O> | ((first: Iterable<A>, second: Iterable<B>, out: Collector<O>) => void)): SingleOutputStream<O> {
    const coGroup = userCallable<(first: Iterable<A>, second: Iterable<B>, out: Collector<O>) => void>(fn, "coGroup");
    return this.build("coGroup", fn, coGroup);
  }
}

export class JoinedWindow<A, B, K, W extends Window> extends TwoInputWindow<A, B, K, W> {
  /**
   * Calls `fn` for every pair of elements, one of each side, per key and window. A JoinFunction's
   * result is emitted; a FlatJoinFunction emits through `out`. A function that extends either
   * class is known by its class; any other is flat when it (or its `join` method) declares three
   * parameters, `(first, second, out)`.
   */
  apply<O>(fn: JoinFunction<A, B, O> | ((first: A, second: B) => O)): SingleOutputStream<O>;
  apply<O>(fn: FlatJoinFunction<A, B, O> | ((first: A, second: B, out: Collector<O>) => void)): SingleOutputStream<O>;
  apply<O>(fn: JoinFunction<A, B, O> | FlatJoinFunction<A, B, O> | ((first: A, second: B, out: Collector<O>) => O | void)): SingleOutputStream<O> {
    const join = userCallable<(first: A, second: B, out: Collector<O>) => O | void>(fn, "join");
    const flat = isFlatJoinFunction(fn);
    return this.build<O>("join", fn, (first, second, out) => {
      for (const a of first) {
        for (const b of second) {
          if (flat) join(a, b, out);
          else out.collect((join as (first: A, second: B) => O)(a, b));
        }
      }
    });
  }
}

/** `a.coGroup(b)`: name the key of each side, then the window. */
export class CoGroupedStreams<A, B> {
  /** @internal */
  constructor(
    private readonly first: DataStream<A>,
    private readonly second: DataStream<B>,
  ) {}

  where<K>(keyA: KeySelector<A, K>): { equalTo(keyB: KeySelector<B, K>): { window<W extends Window>(assigner: WindowAssigner<unknown, W>): CoGroupedWindow<A, B, K, W> } } {
    return {
      equalTo: (keyB) => ({ window: (assigner) => new CoGroupedWindow(this.first, this.second, keyA, keyB, assigner) }),
    };
  }
}

/** `a.join(b)`: name the key of each side, then the window. */
export class JoinedStreams<A, B> {
  /** @internal */
  constructor(
    private readonly first: DataStream<A>,
    private readonly second: DataStream<B>,
  ) {}

  where<K>(keyA: KeySelector<A, K>): { equalTo(keyB: KeySelector<B, K>): { window<W extends Window>(assigner: WindowAssigner<unknown, W>): JoinedWindow<A, B, K, W> } } {
    return {
      equalTo: (keyB) => ({ window: (assigner) => new JoinedWindow(this.first, this.second, keyA, keyB, assigner) }),
    };
  }
}
