/**
 * Triggers that fire a window periodically before it ends (Flink's ContinuousEventTimeTrigger and
 * ContinuousProcessingTimeTrigger): every `interval` ms, aligned to multiples of the interval, and
 * (in event time) once more at the window's end. The next fire time is the trigger's state per
 * (key, window), kept as the minimum of the times registered, so merged windows fire at the
 * earliest of theirs.
 */
import { ReducingStateDescriptor } from "../state/descriptors.ts";
import type { ReducingState } from "../state/state.ts";
import { requireTimestamp } from "./record-timestamp.ts";
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from "./trigger.ts";
import { checkPositive } from "./window-arguments.ts";
import type { Window } from "./windows.ts";

const fireTimeDescriptor = new ReducingStateDescriptor<number>("fire-time", (a, b) => Math.min(a, b));

/** The start of the interval that holds `time`, as Flink computes it. */
function intervalStart(time: number, interval: number): number {
  return time - (time % interval);
}

abstract class ContinuousTrigger extends Trigger<unknown, Window> {
  protected constructor(protected readonly interval: number) {
    super();
  }

  getInterval(): number {
    return this.interval;
  }

  protected abstract registerTimer(ctx: TriggerContext, time: number): void;
  protected abstract deleteTimer(ctx: TriggerContext, time: number): void;

  /** Records and registers the next fire time after `time`, no later than the window's end. */
  protected registerNextFireTime(time: number, window: Window, ctx: TriggerContext, fireTime: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    fireTime.add(next);
    this.registerTimer(ctx, next);
  }

  /** Fires, and schedules the next fire, when `time` is the recorded fire time. */
  protected fireAt(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(fireTimeDescriptor);
    if (fireTime.get() !== time) return TriggerResult.CONTINUE;
    fireTime.clear();
    this.registerNextFireTime(time, window, ctx, fireTime);
    return TriggerResult.FIRE;
  }

  /** Schedules the first fire of a window, at the end of the interval that holds `time`. */
  protected scheduleFirst(time: number, window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(fireTimeDescriptor);
    if (fireTime.get() === undefined) this.registerNextFireTime(intervalStart(time, this.interval), window, ctx, fireTime);
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(fireTimeDescriptor);
    const next = ctx.getPartitionedState(fireTimeDescriptor).get();
    if (next !== undefined) this.registerTimer(ctx, next);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(fireTimeDescriptor);
    const time = fireTime.get();
    if (time === undefined) return;
    this.deleteTimer(ctx, time);
    fireTime.clear();
  }
}

export class ContinuousEventTimeTrigger extends ContinuousTrigger {
  /** Fires every `interval` ms of event time; `interval` must be above 0 (else WEIR_ERR_INVALID_WINDOW). */
  static of(interval: number): ContinuousEventTimeTrigger {
    return new ContinuousEventTimeTrigger(checkPositive("ContinuousEventTimeTrigger.of", "interval", interval));
  }

  onElement(_element: unknown, timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    this.scheduleFirst(requireTimestamp("ContinuousEventTimeTrigger", timestamp), window, ctx);
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    return this.fireAt(time, window, ctx);
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  protected registerTimer(ctx: TriggerContext, time: number): void {
    ctx.registerEventTimeTimer(time);
  }

  protected deleteTimer(ctx: TriggerContext, time: number): void {
    ctx.deleteEventTimeTimer(time);
  }

  override toString(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }
}

export class ContinuousProcessingTimeTrigger extends ContinuousTrigger {
  /** Fires every `interval` ms of processing time; `interval` must be above 0 (else WEIR_ERR_INVALID_WINDOW). */
  static of(interval: number): ContinuousProcessingTimeTrigger {
    return new ContinuousProcessingTimeTrigger(checkPositive("ContinuousProcessingTimeTrigger.of", "interval", interval));
  }

  onElement(_element: unknown, _timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    this.scheduleFirst(ctx.getCurrentProcessingTime(), window, ctx);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    return this.fireAt(time, window, ctx);
  }

  protected registerTimer(ctx: TriggerContext, time: number): void {
    ctx.registerProcessingTimeTimer(time);
  }

  protected deleteTimer(ctx: TriggerContext, time: number): void {
    ctx.deleteProcessingTimeTimer(time);
  }

  override toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.interval})`;
  }
}
