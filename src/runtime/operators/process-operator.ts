import type { Collector, OnTimerContext } from "../../api/functions.ts";
import type { TimeDomain } from "../../state/internal-timer-service.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { RecordTimestamp } from "../record-timestamp.ts";
import type { OperatorKeyedContext } from "./keyed-context.ts";
import type { OperatorContext, Output } from "./operator.ts";
import { UserFunctionOperator } from "./user-function.ts";

export interface TimedFunction<K, O> {
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

/**
 * Base of process operators: a reused keyed context, and timers of both time domains fired with
 * their key current. As in Flink, records emitted from `onTimer` of an event-time timer carry the
 * timer's time as their timestamp, and those of a processing-time timer carry none. Event-time
 * timers fire when the watermark reaches them, before the watermark goes on downstream.
 */
export abstract class ProcessOperator<F extends TimedFunction<K, O>, K, O> extends UserFunctionOperator<F, O> {
  protected keyed: KeyedServices | undefined;
  protected ctx!: OperatorKeyedContext<K>;
  private time!: RecordTimestamp;

  private readonly onTimer = (time: number, _namespace: unknown, domain: TimeDomain): void => {
    const previous = this.time.current;
    this.time.current = domain === "EVENT_TIME" ? time : null;
    this.ctx.firing(time, domain);
    try {
      this.userFunction.onTimer?.(time, this.ctx, this.output);
    } catch (e) {
      this.fail(e);
    } finally {
      this.ctx.firing(undefined, domain);
      this.time.current = previous;
    }
  };

  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.time = context.recordTimestamp;
    await super.open(context, output);
  }

  nextTimerTime(): number | undefined {
    return this.keyed?.timers.nextProcessingTime();
  }

  onProcessingTime(now: number): void {
    this.keyed?.timers.onProcessingTime(now, this.onTimer);
  }

  processWatermark(watermark: number): void {
    if (this.keyed === undefined) this.ctx.watermarkAdvanced(watermark);
    else this.keyed.timers.advanceWatermark(watermark, this.onTimer);
    this.output.emitWatermark?.(watermark);
  }
}
