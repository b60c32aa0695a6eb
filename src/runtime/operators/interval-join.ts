/**
 * The interval join of two keyed streams in event time (Flink's IntervalJoinOperator): a left
 * record with timestamp t joins every right record of its key with a timestamp in
 * [t + lowerBound, t + upperBound], and the user function is called once per such pair.
 *
 * Both sides are buffered in keyed map state, timestamp → records with that timestamp, so the
 * buffers are in every checkpoint and restored with the key groups they belong to. Each arriving
 * record is joined with the other side's buffer, then buffered itself; a record whose timestamp
 * is below the current watermark is late: it is sent to the side's late-data output if one is set,
 * and dropped otherwise. An event-time timer per buffered timestamp removes it once the watermark
 * shows no record of the other side can join it any more.
 *
 * Whether a pair joins is decided on one number, d = right timestamp − left timestamp, compared
 * with the bounds as given (inclusive or exclusive), whichever side arrives first: timestamps need
 * not be whole milliseconds, and in floating point `r <= l + upper` and `l >= r - upper` can
 * disagree, which would make the result depend on arrival order.
 *
 * Records the function receives are copies (unless object reuse is on), so changing them cannot
 * change what stays buffered for later pairs. Results carry the larger of the pair's timestamps.
 */
import type { OutputTag } from "../../api/output-tag.ts";
import type { ProcessJoinContext, ProcessJoinFunctionLike } from "../../api/process-join-function.ts";
import { deepCopy } from "../../core/deep-copy.ts";
import { WeirError } from "../../core/errors.ts";
import { MapStateDescriptor } from "../../state/descriptors.ts";
import type { MapState } from "../../state/state.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { RecordTimestamp } from "../record-timestamp.ts";
import type { SideOutputs } from "../side-outputs.ts";
import { requireKeyed } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { UserFunctionOperator, userCallable } from "./user-function.ts";

export interface IntervalJoinBounds {
  /** Lower bound of a right record's timestamp, relative to the left record's. */
  readonly lowerBound: number;
  /** Upper bound, relative likewise; not below `lowerBound`. */
  readonly upperBound: number;
  /** Whether a pair exactly at `lowerBound` is left out; included when absent. */
  readonly lowerBoundExclusive?: boolean | undefined;
  /** Whether a pair exactly at `upperBound` is left out; included when absent. */
  readonly upperBoundExclusive?: boolean | undefined;
  /** Where late left records go; dropped when absent. */
  readonly leftLateDataTag?: OutputTag<unknown> | undefined;
  /** Where late right records go; dropped when absent. */
  readonly rightLateDataTag?: OutputTag<unknown> | undefined;
}

/** One side's buffered records of the current key, by timestamp. */
type SideBuffer = MapState<number, unknown[]>;
type JoinCall = (left: unknown, right: unknown, ctx: ProcessJoinContext, out: Output<unknown>) => void;

const LEFT = "left";
const RIGHT = "right";
type Side = typeof LEFT | typeof RIGHT;
/**
 * A cleanup timer's namespace: the side and the buffered timestamp it removes. Carrying the
 * timestamp (rather than working it back from the timer's time) keeps removal exact for
 * timestamps that are not whole milliseconds, where `t + upper - upper` need not be `t`.
 */
type CleanupTimer = readonly [Side, number];

/** The context handed with each pair; one instance, updated before each call. */
class JoinContext implements ProcessJoinContext {
  leftTimestamp = 0;
  rightTimestamp = 0;

  constructor(private readonly sideOutputs: SideOutputs) {}

  getLeftTimestamp(): number {
    return this.leftTimestamp;
  }

  getRightTimestamp(): number {
    return this.rightTimestamp;
  }

  getTimestamp(): number {
    return Math.max(this.leftTimestamp, this.rightTimestamp);
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.sideOutputs.emit(tag, value);
  }
}

export class IntervalJoinOperator<O> extends UserFunctionOperator<ProcessJoinFunctionLike<unknown, unknown, O>, O> implements StreamOperator {
  private readonly call = userCallable<JoinCall>(this.userFunction, "processElement");
  private keyed!: KeyedServices;
  private time!: RecordTimestamp;
  private sideOutputs!: SideOutputs;
  private ctx!: JoinContext;
  private leftBuffer!: SideBuffer;
  private rightBuffer!: SideBuffer;
  /** Whether records handed to the function are copied (object reuse off). */
  private copies = true;

  private readonly onTimer = (_time: number, namespace: unknown): void => {
    const [side, timestamp] = namespace as CleanupTimer;
    (side === LEFT ? this.leftBuffer : this.rightBuffer).remove(timestamp);
  };

  constructor(
    fn: ProcessJoinFunctionLike<unknown, unknown, O>,
    private readonly bounds: IntervalJoinBounds,
  ) {
    super(fn);
  }

  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.keyed = requireKeyed(context, "an interval join");
    this.time = context.recordTimestamp;
    this.sideOutputs = context.sideOutputs;
    this.ctx = new JoinContext(context.sideOutputs);
    this.copies = context.objectReuse !== true;
    this.leftBuffer = this.keyed.backend.getState(new MapStateDescriptor<number, unknown[]>("_interval-join-left"));
    this.rightBuffer = this.keyed.backend.getState(new MapStateDescriptor<number, unknown[]>("_interval-join-right"));
    await super.open(context, output);
  }

  processElement(record: unknown, inputIndex: 0 | 1): void {
    const timestamp = this.time.current;
    if (typeof timestamp !== "number" || !Number.isFinite(timestamp)) {
      throw new WeirError(
        "WEIR_ERR_MISSING_TIMESTAMP",
        `interval join '${this.name}': a ${inputIndex === 0 ? "left" : "right"} record has no timestamp (got ${String(timestamp)}); ` +
          `an interval join runs in event time: assign timestamps and watermarks to both inputs before it`,
      );
    }
    this.keyed.setCurrentKeyOf(record, inputIndex);
    this.process(record, timestamp, inputIndex === 0 ? LEFT : RIGHT);
  }

  processWatermark(watermark: number): void {
    this.keyed.timers.advanceWatermark(watermark, this.onTimer);
    this.output.emitWatermark?.(watermark);
  }

  private process(record: unknown, timestamp: number, side: Side): void {
    const isLeft = side === LEFT;
    if (timestamp < this.keyed.timers.currentWatermark()) {
      const tag = isLeft ? this.bounds.leftLateDataTag : this.bounds.rightLateDataTag;
      if (tag !== undefined) this.sideOutputs.emit(tag, record);
      return;
    }
    const [ours, theirs] = isLeft ? [this.leftBuffer, this.rightBuffer] : [this.rightBuffer, this.leftBuffer];
    for (const [otherTimestamp, others] of theirs.entries()) {
      if (!this.joins(isLeft ? otherTimestamp - timestamp : timestamp - otherTimestamp)) continue;
      for (const other of others) {
        if (isLeft) this.join(record, other, timestamp, otherTimestamp);
        else this.join(other, record, otherTimestamp, timestamp);
      }
    }
    const buffered = ours.get(timestamp);
    if (buffered === undefined) ours.put(timestamp, [record]);
    else {
      buffered.push(record);
      ours.put(timestamp, buffered);
    }
    const cleanup: CleanupTimer = [side, timestamp];
    this.keyed.timers.registerEventTimeTimer(cleanup, this.cleanupTime(timestamp, isLeft));
  }

  /** Whether a pair whose right timestamp is `distance` after its left one lies within the bounds. */
  private joins(distance: number): boolean {
    const { lowerBound, upperBound, lowerBoundExclusive = false, upperBoundExclusive = false } = this.bounds;
    return (lowerBoundExclusive ? distance > lowerBound : distance >= lowerBound) && (upperBoundExclusive ? distance < upperBound : distance <= upperBound);
  }

  /**
   * When a record buffered at `timestamp` can be removed: the first time c such that no record of
   * the other side at c or later can join it (a record below the watermark is late, one at the
   * watermark is not). Starts from the farthest joining timestamp worked out in floating point and
   * steps up while a pair at it would still lie within the bounds taken inclusive, so neither
   * rounding nor an exclusive bound removes a record that could still join; never before the
   * record's own timestamp.
   */
  private cleanupTime(timestamp: number, isLeft: boolean): number {
    const { lowerBound, upperBound } = this.bounds;
    const reaches = isLeft ? (other: number) => other - timestamp <= upperBound : (other: number) => timestamp - other >= lowerBound;
    let time = isLeft ? timestamp + upperBound : timestamp - lowerBound;
    while (reaches(time)) time = nextUp(time);
    return Math.max(time, timestamp);
  }

  private join(left: unknown, right: unknown, leftTimestamp: number, rightTimestamp: number): void {
    this.ctx.leftTimestamp = leftTimestamp;
    this.ctx.rightTimestamp = rightTimestamp;
    const previous = this.time.current;
    this.time.current = Math.max(leftTimestamp, rightTimestamp);
    try {
      this.call(this.copies ? deepCopy(left) : left, this.copies ? deepCopy(right) : right, this.ctx, this.output);
    } catch (e) {
      this.fail(e);
    } finally {
      this.time.current = previous;
    }
  }
}

const bits = new Float64Array(1);
const word = new BigInt64Array(bits.buffer);

/** The smallest double above `x` (finite `x`). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  bits[0] = x;
  word[0] += x > 0 ? 1n : -1n;
  return bits[0];
}
