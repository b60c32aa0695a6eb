/**
 * The function of an interval join (Flink's ProcessJoinFunction): called once for every pair of a
 * left and a right record with the same key whose timestamps lie within the join's bounds.
 */
import { AbstractRichFunction, type Collector, type Lifecycle } from "./functions.ts";
import type { OutputTag } from "./output-tag.ts";

/** What `processElement` of a ProcessJoinFunction is handed with each pair (Flink's ProcessJoinFunction.Context). */
export interface ProcessJoinContext {
  /** The timestamp of the pair's left record. */
  getLeftTimestamp(): number;
  /** The timestamp of the pair's right record. */
  getRightTimestamp(): number;
  /** The timestamp the pair's results carry: the larger of the two records' timestamps. */
  getTimestamp(): number;
  /** Emits `value` to the side output `tag` (read with `getSideOutput(tag)` on the join's stream). */
  output<X>(tag: OutputTag<X>, value: X): void;
}

export abstract class ProcessJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}

/** A ProcessJoinFunction, an object with its `processElement` method, or that method as a closure. */
export type ProcessJoinFunctionLike<IN1, IN2, OUT> =
  | ProcessJoinFunction<IN1, IN2, OUT>
  | ((left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>) => void)
  | (Lifecycle & { processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void });
