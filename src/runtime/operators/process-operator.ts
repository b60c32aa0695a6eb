import type { Collector, OnTimerContext } from "../../api/functions.ts";
import type { KeyedServices } from "../keyed-services.ts";
import type { OperatorKeyedContext } from "./keyed-context.ts";
import { UserFunctionOperator } from "./user-function.ts";

interface TimedFunction<K, O> {
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

/** Base of process operators: a reused keyed context, and timers fired with their key current. */
export abstract class ProcessOperator<F extends TimedFunction<K, O>, K, O> extends UserFunctionOperator<F, O> {
  protected keyed: KeyedServices | undefined;
  protected ctx!: OperatorKeyedContext<K>;

  private readonly onTimer = (time: number): void => {
    this.ctx.timestamp = time;
    try {
      this.userFunction.onTimer?.(time, this.ctx, this.output);
    } catch (e) {
      this.fail(e);
    }
  };

  nextTimerTime(): number | undefined {
    return this.keyed?.timers.nextTime();
  }

  onProcessingTime(now: number): void {
    this.keyed?.fireDueTimers(now, this.onTimer);
  }
}
