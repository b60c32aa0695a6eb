import type { KeyedProcessFunction } from "../../api/functions.ts";
import type { KeyedServices } from "../keyed-services.ts";
import { OperatorKeyedContext, requireKeyed } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { UserFunctionOperator } from "./user-function.ts";

/** Runs a KeyedProcessFunction: sets the record's key, then calls the function; fires its timers. */
export class KeyedProcessOperator<K, I, O>
  extends UserFunctionOperator<KeyedProcessFunction<K, I, O>, O>
  implements StreamOperator
{
  private keyed!: KeyedServices;
  private ctx!: OperatorKeyedContext<K>;

  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.keyed = requireKeyed(context, "a keyed process function");
    this.ctx = new OperatorKeyedContext<K>(this.keyed, context.clock, context.runtime.operatorName);
    await super.open(context, output);
  }

  processElement(record: unknown): void {
    this.keyed.setCurrentKeyOf(record, 0);
    try {
      this.userFunction.processElement(record as I, this.ctx, this.output);
    } catch (e) {
      this.fail(e);
    }
  }

  private readonly onTimer = (time: number): void => {
    this.ctx.timestamp = time;
    try {
      this.userFunction.onTimer?.(time, this.ctx, this.output);
    } catch (e) {
      this.fail(e);
    }
  };

  nextTimerTime(): number | undefined {
    return this.keyed.timers.nextTime();
  }

  onProcessingTime(now: number): void {
    this.keyed.fireDueTimers(now, this.onTimer);
  }
}
