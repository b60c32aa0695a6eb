import type { KeyedProcessFunction } from "../../api/functions.ts";
import type { KeyedServices } from "../keyed-services.ts";
import { OperatorKeyedContext, requireKeyed } from "./keyed-context.ts";
import type { OperatorContext, Output, StreamOperator } from "./operator.ts";
import { ProcessOperator } from "./process-operator.ts";

/** Runs a KeyedProcessFunction: sets the record's key, then calls the function; fires its timers. */
export class KeyedProcessOperator<K, I, O> extends ProcessOperator<KeyedProcessFunction<K, I, O>, K, O> implements StreamOperator {
  private keyedServices!: KeyedServices;

  override async open(context: OperatorContext, output: Output<unknown>): Promise<void> {
    this.keyed = this.keyedServices = requireKeyed(context, "a keyed process function");
    this.ctx = new OperatorKeyedContext<K>(this.keyed, context.clock, context.runtime.operatorName, context.recordTimestamp);
    await super.open(context, output);
  }

  processElement(record: unknown): void {
    this.keyedServices.setCurrentKeyOf(record, 0);
    try {
      this.userFunction.processElement(record as I, this.ctx, this.output);
    } catch (e) {
      this.fail(e);
    }
  }
}
