/**
 * The interval join's builders (Flink's KeyedStream.IntervalJoin and IntervalJoined):
 * `left.keyBy(k).intervalJoin(right.keyBy(k)).between(lower, upper).process(fn)` pairs each left
 * record with every right record of the same key whose timestamp lies in
 * [left's + lower, left's + upper]. Event time only; bounds are milliseconds, inclusive unless
 * made exclusive. See docs/joins.md.
 */
import { invalidWindow } from "../windowing/window-arguments.ts";
import { IntervalJoinOperator } from "../runtime/operators/interval-join.ts";
import { addOperator, SingleOutputStream, type Upstream } from "./data-stream.ts";
import { checkOutputTag, type OutputTag } from "./output-tag.ts";
import type { ProcessJoinFunctionLike } from "./process-join-function.ts";
import type { StreamGraphBuilder } from "./stream-graph-builder.ts";

/** Two keyed streams to join by time; `between` sets the bounds. */
export class IntervalJoin<T1, T2, K> {
  declare readonly __key?: K;

  /** @internal */
  constructor(
    private readonly env: StreamGraphBuilder,
    private readonly left: readonly Upstream[],
    private readonly right: readonly Upstream[],
  ) {}

  /** The join runs in event time, the only time an interval join runs in (as in Flink). */
  inEventTime(): this {
    return this;
  }

  /**
   * Joins a left record at time t with the right records at times in [t + lowerBound,
   * t + upperBound] (milliseconds, either may be negative). A lower bound above the upper one, or
   * a bound that is not a finite number, is WEIR_ERR_INVALID_WINDOW.
   */
  between(lowerBound: number, upperBound: number): IntervalJoined<T1, T2, K> {
    for (const [name, value] of [
      ["lower bound", lowerBound],
      ["upper bound", upperBound],
    ] as const) {
      if (typeof value !== "number" || !Number.isFinite(value)) throw invalidWindow(`intervalJoin().between(): the ${name} must be a finite number of milliseconds, got ${String(value)}`);
    }
    if (lowerBound > upperBound) {
      throw invalidWindow(`intervalJoin().between(${lowerBound}, ${upperBound}): the lower bound must not be above the upper bound`);
    }
    return new IntervalJoined<T1, T2, K>(this.env, this.left, this.right, lowerBound, upperBound);
  }
}

/** An interval join with its bounds; `process` gives the stream of its results. */
export class IntervalJoined<T1, T2, K> {
  declare readonly __key?: K;
  private lowerInclusive = true;
  private upperInclusive = true;
  private leftLateDataTag: OutputTag<T1> | undefined;
  private rightLateDataTag: OutputTag<T2> | undefined;

  /** @internal */
  constructor(
    private readonly env: StreamGraphBuilder,
    private readonly left: readonly Upstream[],
    private readonly right: readonly Upstream[],
    private readonly lowerBound: number,
    private readonly upperBound: number,
  ) {}

  /** Right records exactly at the lower bound do not join. */
  lowerBoundExclusive(): this {
    this.lowerInclusive = false;
    return this;
  }

  /** Right records exactly at the upper bound do not join. */
  upperBoundExclusive(): this {
    this.upperInclusive = false;
    return this;
  }

  /** Left records that arrive behind the watermark go to `tag` (read with `getSideOutput(tag)`) instead of being dropped. */
  sideOutputLeftLateData(tag: OutputTag<T1>): this {
    this.leftLateDataTag = checkOutputTag(tag, "sideOutputLeftLateData()");
    return this;
  }

  /** Right records that arrive behind the watermark go to `tag` instead of being dropped. */
  sideOutputRightLateData(tag: OutputTag<T2>): this {
    this.rightLateDataTag = checkOutputTag(tag, "sideOutputRightLateData()");
    return this;
  }

  /** Calls `fn` for every joining pair; its results carry the larger timestamp of the two. */
  process<O>(fn: ProcessJoinFunctionLike<T1, T2, O>): SingleOutputStream<O> {
    const bounds = {
      lowerBound: this.lowerBound,
      upperBound: this.upperBound,
      lowerBoundExclusive: !this.lowerInclusive,
      upperBoundExclusive: !this.upperInclusive,
      leftLateDataTag: this.leftLateDataTag as OutputTag<unknown> | undefined,
      rightLateDataTag: this.rightLateDataTag as OutputTag<unknown> | undefined,
    };
    const join = fn as ProcessJoinFunctionLike<unknown, unknown, O>;
    const id = addOperator(this.env, [this.left, this.right], "IntervalJoin", () => new IntervalJoinOperator<O>(join, bounds));
    return new SingleOutputStream<O>(this.env, id);
  }
}
